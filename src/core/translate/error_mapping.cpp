#include "translate/error_mapping.hpp"

#include <ctime>

#include "rules/scope.hpp"
#include "translate/vendor_data.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

ErrorClass class_for_status(int status) {
  if (status == 401) return ErrorClass::vendor_auth;
  if (status == 403) return ErrorClass::vendor_permission;
  if (status == 404) return ErrorClass::not_found;
  if (status == 408 || status == 504) return ErrorClass::vendor_timeout;
  if (status == 429) return ErrorClass::rate_limited;
  if (status >= 500) return ErrorClass::vendor_unavailable;
  if (status >= 400) return ErrorClass::invalid_request;
  return ErrorClass::vendor_error;
}

std::optional<std::string> text_at(const std::optional<JsonPath>& path,
                                   const JsonDocument& body) {
  if (!path) return std::nullopt;
  const Json* v = path->find(body);
  if (v == nullptr || v->is_null()) return std::nullopt;
  std::string s = json_text(*v);
  if (s.empty()) return std::nullopt;
  return s;
}

// Outcomes after which a create may have produced a task at the vendor:
// anything but a refusal the vendor explains (bad request, content policy,
// credentials, quota, rate limit). A client retry would then pay twice.
bool task_may_exist(ErrorClass cls) {
  return cls == ErrorClass::vendor_unavailable ||
         cls == ErrorClass::vendor_timeout || cls == ErrorClass::vendor_error;
}

// A create's, a remix's, an extension's or a character's: whatever was
// asked for.
constexpr const char* kMayExist =
    " The vendor may have made it anyway; retrying could create a "
    "duplicate.";

int64_t parse_http_date(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr)
    return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::optional<int> retry_after_seconds(const Headers& headers, int64_t now) {
  std::optional<int64_t> seconds;
  if (auto ms = find_header(headers, "retry-after-ms")) {
    if (auto v = parse_uint(trim(*ms)))
      seconds = static_cast<int64_t>((*v + 999) / 1000);
  }
  if (!seconds) {
    if (auto ra = find_header(headers, "retry-after")) {
      if (auto v = parse_uint(trim(*ra))) {
        seconds = static_cast<int64_t>(*v);
      } else if (int64_t at = parse_http_date(std::string(trim(*ra))); at > 0) {
        seconds = at - now;
      }
    }
  }
  if (!seconds) return std::nullopt;
  // The Node SDK ignores values over 60 s and Python gives up over 120 s.
  return static_cast<int>(
      std::min<int64_t>(60, std::max<int64_t>(1, *seconds)));
}

bool vendor_reply_ok(const Vendor& vendor, int status,
                     const JsonDocument& body) {
  if (status < 200 || status > 299) return false;
  const auto& when = vendor.rules().errors.success_when;
  if (when.empty()) return true;
  ReplyScope scope(body, status);
  return when.test(scope);
}

namespace {

// The class of a vendor error reply, by the rules' first matching entry or
// else by its HTTP status.
ErrorClass classify(const Vendor& vendor, int status, const JsonDocument& body,
                    const ErrorRule** matched) {
  ReplyScope scope(body, status);
  for (const auto& rule : vendor.rules().errors.rules) {
    if (rule.when.test(scope)) {
      *matched = &rule;
      return rule.as;
    }
  }
  return (status >= 200 && status <= 299) ? ErrorClass::vendor_error
                                          : class_for_status(status);
}

}  // namespace

bool refuses_account(const Vendor& vendor, int status,
                     const JsonDocument& body) {
  const ErrorRule* matched = nullptr;
  ErrorClass cls = classify(vendor, status, body, &matched);
  return cls == ErrorClass::vendor_auth ||
         cls == ErrorClass::vendor_permission ||
         cls == ErrorClass::vendor_quota || cls == ErrorClass::rate_limited;
}

bool never_reached(const UpstreamReply& reply) {
  return reply.status == 0 && !reply.request_sent &&
         (reply.local_status == 0 || reply.local_status == 429 ||
          reply.local_status == 503);
}

ApiError map_vendor_error(const Vendor& vendor, CallPhase phase, int status,
                          const JsonDocument& body, const Headers& headers,
                          int64_t now) {
  const ErrorsRule& rules = vendor.rules().errors;
  const ErrorRule* matched = nullptr;
  ErrorClass cls = classify(vendor, status, body, &matched);
  // A 404 page that is not one of the vendor's API replies comes from a
  // load balancer or a wrong base_url: it says nothing about the video.
  bool foreign_404 = !matched && status == 404 && !body.is_object();
  if (foreign_404) cls = ErrorClass::vendor_error;
  auto vendor_code = text_at(rules.code, body);
  auto vendor_message = text_at(rules.message, body);
  std::string detail = vendor_message
                           ? client_safe_text(vendor, *vendor_message)
                           : std::string();
  std::string code_note =
      vendor_code
          ? " (vendor code " + client_safe_text(vendor, *vendor_code) + ")"
          : std::string();
  const std::string& name = vendor.name();

  ApiError e;
  e.type = "server_error";
  switch (cls) {
    case ErrorClass::invalid_request:
      if (phase != CallPhase::create && phase != CallPhase::prepare) {
        e.status = 502;
        e.code = "vendor_error";
        e.message = "Vendor '" + name + "' rejected the status query" +
                    code_note + (detail.empty() ? "." : ": " + detail);
        break;
      }
      e.status = 400;
      e.type = "invalid_request_error";
      e.code = vendor_code ? client_safe_text(vendor, *vendor_code)
                           : std::string("vendor_invalid_request");
      e.param = text_at(rules.param, body);
      e.message = detail.empty() ? "Vendor '" + name +
                                       "' rejected the request." + code_note
                                 : detail;
      break;
    case ErrorClass::content_policy:
      e.status = 400;
      e.type = "invalid_request_error";
      e.code = "content_policy_violation";
      e.message = "Vendor '" + name +
                  "' refused the request under its content policy" + code_note +
                  (detail.empty() ? "." : ": " + detail);
      break;
    case ErrorClass::not_found:
      if (phase == CallPhase::create || phase == CallPhase::prepare) {
        e.status = 400;
        e.type = "invalid_request_error";
        e.code = "vendor_resource_not_found";
        e.message = "Vendor '" + name +
                    "' does not know a resource named in the request" +
                    code_note + (detail.empty() ? "." : ": " + detail);
      } else {
        e.status = 404;
        e.type = "invalid_request_error";
        e.code = "video_not_found";
        e.message = "Vendor '" + name + "' no longer knows this video" +
                    code_note + ".";
      }
      break;
    case ErrorClass::vendor_auth:
      // Our client did nothing wrong and retrying cannot help.
      e.status = 502;
      e.code = "vendor_auth_failed";
      e.message = "Vendor '" + name + "' rejected the gateway's credentials" +
                  code_note +
                  ". Check the vendor keys in the gateway configuration.";
      e.no_retry = true;
      break;
    case ErrorClass::vendor_permission:
      e.status = 502;
      e.code = "vendor_permission_denied";
      e.message = "The gateway's account at vendor '" + name +
                  "' is not allowed to do this" + code_note +
                  (detail.empty() ? "." : ": " + detail);
      e.no_retry = true;
      break;
    case ErrorClass::vendor_quota:
      e.status = 429;
      e.type = "insufficient_quota";
      e.code = "insufficient_quota";
      e.message = "The gateway's account at vendor '" + name +
                  "' has no quota left" + code_note +
                  (detail.empty() ? "." : ": " + detail);
      e.no_retry = true;
      break;
    case ErrorClass::rate_limited:
      e.status = 429;
      e.type = "rate_limit_error";
      e.code = "rate_limit_exceeded";
      e.message = "Vendor '" + name + "' is rate limiting requests" +
                  code_note + ". Retry after the delay in Retry-After.";
      e.retry_after_seconds = retry_after_seconds(headers, now).value_or(5);
      break;
    case ErrorClass::vendor_unavailable:
      e.status = 502;
      e.code = "vendor_unavailable";
      e.message = "Vendor '" + name + "' failed to handle the request (HTTP " +
                  std::to_string(status) + ")" + code_note + ".";
      break;
    case ErrorClass::vendor_timeout:
      e.status = 504;
      e.code = "vendor_timeout";
      e.message = "Vendor '" + name + "' timed out" + code_note + ".";
      break;
    case ErrorClass::vendor_error:
      e.status = 502;
      e.code = "vendor_error";
      e.message = "Vendor '" + name + "' returned an error (HTTP " +
                  std::to_string(status) + ")" + code_note +
                  (detail.empty() ? "." : ": " + detail);
      break;
  }
  if (foreign_404) {
    e.message = "Vendor '" + name +
                "' answered HTTP 404 with a page that is not one of its API's "
                "replies (is its base_url right?).";
  }
  if (matched && matched->code) e.code = *matched->code;
  if (matched && matched->message) e.message = *matched->message;
  if (matched && matched->status) e.status = *matched->status;
  if (phase == CallPhase::create && (task_may_exist(cls) || foreign_404)) {
    e.no_retry = true;
    if (!foreign_404) e.message += kMayExist;
  }
  return e;
}

ApiError transport_error(const Vendor& vendor, CallPhase phase,
                         const UpstreamReply& reply) {
  ApiError e;
  e.type = "server_error";
  const std::string& name = vendor.name();
  if (reply.local_status == 429 || reply.local_status == 503) {
    e.status = 429;
    e.type = "rate_limit_error";
    e.code = "rate_limit_exceeded";
    e.message = "Too many requests for vendor '" + name +
                "' through this gateway; retry after the delay in Retry-After.";
    e.retry_after_seconds = 1;
    return e;
  }
  if (reply.local_status == 413) {
    e.status = 413;
    e.type = "invalid_request_error";
    e.code = "request_too_large";
    e.message = "The request, translated for vendor '" + name +
                "', is larger than this gateway sends (client_max_body_size "
                "of its call location).";
    e.no_retry = true;
    return e;
  }
  if (reply.local_status != 0) {
    e.status = 502;
    e.code = "gateway_refused_call";
    e.message = "The gateway's configuration refused the call to vendor '" +
                name + "' (HTTP " + std::to_string(reply.local_status) + ").";
    e.no_retry = true;
    return e;
  }
  if (reply.too_large) {
    e.status = 502;
    e.code = "vendor_reply_too_large";
    e.message =
        "Vendor '" + name + "' sent a reply larger than the gateway accepts.";
  } else if (reply.unreadable) {
    e.status = 502;
    e.code = "vendor_bad_reply";
    e.message = "Vendor '" + name +
                "' sent a reply in an encoding the gateway cannot read.";
  } else if (reply.truncated) {
    e.status = 502;
    e.code = "vendor_bad_reply";
    e.message = "Vendor '" + name + "' cut its reply off.";
  } else if (reply.timed_out) {
    e.status = 504;
    e.code = "vendor_timeout";
    e.message = "Vendor '" + name + "' did not answer in time.";
  } else {
    e.status = 502;
    e.code = "vendor_unreachable";
    e.message = "The gateway could not reach vendor '" + name + "'.";
  }
  // Once the create request reached the vendor, the task may exist even
  // though its reply was lost: a client retry could pay for a second video.
  bool answered = reply.status != 0;
  if (phase == CallPhase::create && (reply.request_sent || answered)) {
    e.no_retry = true;
    e.message += kMayExist;
  }
  return e;
}

}  // namespace vgw
