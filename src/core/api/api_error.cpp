#include "api/api_error.hpp"

#include <nlohmann/json.hpp>

namespace vgw {

HttpResponse ApiError::to_response() const {
  nlohmann::ordered_json err = {
      {"message", message},
      {"type", type},
      {"param", param ? nlohmann::ordered_json(*param)
                      : nlohmann::ordered_json(nullptr)},
      {"code",
       code ? nlohmann::ordered_json(*code) : nlohmann::ordered_json(nullptr)},
  };
  HttpResponse r;
  r.status = status;
  r.body = nlohmann::ordered_json{{"error", err}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (retry_after_seconds) {
    r.headers.push_back({"Retry-After", std::to_string(*retry_after_seconds)});
  }
  if (no_retry) r.headers.push_back({"x-should-retry", "false"});
  return r;
}

ApiError invalid_request(std::string message, std::optional<std::string> param,
                         std::optional<std::string> code) {
  ApiError e;
  e.status = 400;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

ApiError not_found(std::string message) {
  ApiError e;
  e.status = 404;
  e.message = std::move(message);
  e.code = "not_found";
  return e;
}

ApiError store_unavailable(std::string_view consequence) {
  ApiError e = internal_error("The gateway's store is unavailable, so " +
                              std::string(consequence) + "; retry later.");
  e.status = 503;
  e.code = "store_unavailable";
  e.retry_after_seconds = 1;
  return e;
}

ApiError video_not_found(std::string_view id) {
  ApiError e = not_found("No video found with id '" +
                         std::string(id.substr(0, 200)) + "'.");
  e.code = "video_not_found";
  e.param = "video_id";
  return e;
}

ApiError internal_error(std::string message) {
  ApiError e;
  e.status = 500;
  e.type = "server_error";
  e.message = std::move(message);
  e.code = "internal_error";
  return e;
}

ApiError error_for_status(int status) {
  ApiError e;
  e.status = status;
  switch (status) {
    case 400:
      e.message = "The request could not be parsed.";
      e.code = "bad_request";
      break;
    case 404:
      e.message = "Unknown route.";
      e.code = "unknown_route";
      break;
    case 405:
      e.message = "Method not allowed.";
      e.code = "method_not_allowed";
      break;
    case 408:
      e.message = "The request body did not arrive in time.";
      e.code = "request_timeout";
      break;
    case 411:
      e.message = "A Content-Length header is required.";
      e.code = "length_required";
      break;
    case 413:
      e.message =
          "The request body is larger than this gateway accepts "
          "(client_max_body_size).";
      e.code = "request_too_large";
      break;
    case 414:
      e.message = "The request URI is too long.";
      e.code = "uri_too_long";
      break;
    case 429:
    case 503:
      e.type = "rate_limit_error";
      e.message = "Too many requests; retry later.";
      e.code = "rate_limit_exceeded";
      e.retry_after_seconds = 1;
      break;
    default:
      if (status >= 500) {
        e.type = "server_error";
        e.message = "The gateway failed to handle the request.";
        e.code = "gateway_error";
      } else {
        e.message = "The request was rejected.";
        e.code = "bad_request";
      }
  }
  return e;
}

ApiError download_error(int cdn_status) {
  ApiError e;
  e.type = "server_error";
  if (cdn_status == 416) {
    e.status = 416;
    e.type = "invalid_request_error";
    e.message = "The requested byte range is not satisfiable.";
    e.code = "range_not_satisfiable";
    e.param = "Range";
  } else if (cdn_status == 403 || cdn_status == 404 || cdn_status == 410) {
    e.status = 404;
    e.type = "invalid_request_error";
    e.message = "The vendor no longer serves this video's file (HTTP " +
                std::to_string(cdn_status) + ").";
    e.code = "content_unavailable";
  } else if (cdn_status == 504) {
    e.status = 504;
    e.message = "The vendor's file server did not answer in time.";
    e.code = "vendor_timeout";
  } else {
    e.status = 502;
    e.message = "The vendor's file server failed (HTTP " +
                std::to_string(cdn_status) + ").";
    e.code = "content_fetch_failed";
  }
  return e;
}

}  // namespace vgw
