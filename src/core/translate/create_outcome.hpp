#pragma once

#include <optional>
#include <string>

#include "api/api_error.hpp"
#include "http_types.hpp"
#include "rules/json_path.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// A create answered this way made no vendor task: it was refused (4xx), or
// failed in a way the SDKs retry. A 5xx with x-should-retry: false is one
// whose task may exist (a reply lost after the vendor created it), so
// whatever it was charged is kept.
bool create_made_no_task(const HttpResponse& response);

// 503 vendor_not_configured when the vendor lacks a credential.
std::optional<ApiError> missing_credential(const Vendor& vendor);

// What the reply to a call that makes something (a task, a subject) says:
// the vendor's id for it, or the error to answer. A reply that may stand
// for a thing the vendor made (unreadable, without a usable id) is a 502
// the SDKs do not retry, so nobody pays for a second one.
struct CreatedId {
  std::string id;
  std::optional<ApiError> error;
  // The vendor refused before making anything (credentials, quota...):
  // another account of a pool may take the request.
  bool try_next_account = false;
  // An id that came back but cannot be used, kept for the access log.
  std::string unusable_id;
};
CreatedId read_created_id(const Vendor& vendor, const UpstreamReply& reply,
                          const JsonPath& id_path, bool id_is_path,
                          const char* made, int64_t now);

}  // namespace vgw
