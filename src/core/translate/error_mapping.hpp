#pragma once

#include "api/api_error.hpp"
#include "rules/json_path.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// `prepare`: a step before a create (its request's `steps`): its errors
// are the create's, but no task can exist yet, so a retry costs nothing.
enum class CallPhase { create, prepare, retrieve, content };

// True when a vendor reply is a success: a 2xx status and, for vendors that
// report errors inside 200 replies, the rules' `success_when`.
bool vendor_reply_ok(const Vendor& vendor, int status,
                     const JsonDocument& body);

// Turns a vendor error reply into the OpenAI error the client sees.
ApiError map_vendor_error(const Vendor& vendor, CallPhase phase, int status,
                          const JsonDocument& body, const Headers& headers,
                          int64_t now);

// A vendor error reply that refuses this account, not the request: its
// credentials, permissions, quota or rate limit. No task exists, and
// another account of a pool may well succeed.
bool refuses_account(const Vendor& vendor, int status,
                     const JsonDocument& body);

// The call never reached the vendor: refused connection, connect or TLS
// failure, or nginx's own limit on the call location.
bool never_reached(const UpstreamReply& reply);

// No usable reply at all: connection refused, reset, timeout, oversized.
ApiError transport_error(const Vendor& vendor, CallPhase phase,
                         const UpstreamReply& reply);

// Retry-After from a vendor reply, in whole seconds (1..60), if present.
std::optional<int> retry_after_seconds(const Headers& headers, int64_t now);

}  // namespace vgw
