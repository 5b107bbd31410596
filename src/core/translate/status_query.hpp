#pragma once

#include <optional>

#include "api/api_error.hpp"
#include "ids/video_id.hpp"
#include "translate/error_mapping.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// Names a status query and a download URL may use: the sealed record plus
// the vendor's endpoint.
Json call_scope(const Vendor& vendor, const VideoRecord& record,
                const std::string& variant);

// A signed vendor call from a request rule rendered in `scope`; nullopt
// when the rule renders no path.
std::optional<UpstreamCall> build_vendor_call(Vendor& vendor,
                                              const RequestRule& rule,
                                              const Scope& scope, int64_t now);

// A call about a task (its status query, a deletion) with the record's names.
// `steps`: what the rule's steps read, as ${steps.NAME}.
std::optional<UpstreamCall> build_record_call(Vendor& vendor,
                                              const RequestRule& rule,
                                              const VideoRecord& record,
                                              int64_t now,
                                              const Json* steps = nullptr);

// The status the rules' `status.match` reads from this reply, if any.
std::optional<VideoStatus> matched_status(const Vendor& vendor,
                                          const JsonDocument& body);

// Parses a status reply, or explains why it is an error. The body is a
// view of the reply's text.
struct StatusReply {
  JsonDocument body;
  std::optional<ApiError> error;
};
StatusReply read_status_reply(const Vendor& vendor, CallPhase phase,
                              const UpstreamReply& reply, int64_t now);
// The same for any other call (`status.match` is the status query's).
StatusReply read_vendor_reply(const Vendor& vendor, CallPhase phase,
                              const UpstreamReply& reply, int64_t now);

}  // namespace vgw
