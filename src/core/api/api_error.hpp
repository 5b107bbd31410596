#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http_types.hpp"

namespace vgw {

// An OpenAI-shaped error: {"error":{"message","type","param","code"}}.
struct ApiError {
  int status = 400;
  std::string type = "invalid_request_error";
  std::string message;
  std::optional<std::string> param;
  std::optional<std::string> code;
  std::optional<int> retry_after_seconds;
  // The SDKs retry 408/409/429/5xx; this tells them not to when a retry
  // could create a second vendor task or cannot succeed.
  bool no_retry = false;

  HttpResponse to_response() const;
};

ApiError invalid_request(std::string message,
                         std::optional<std::string> param = std::nullopt,
                         std::optional<std::string> code = std::nullopt);
ApiError not_found(std::string message);
// 404 video_not_found for an id that does not open, or was deleted.
ApiError video_not_found(std::string_view id);
ApiError internal_error(std::string message);
// 503 store_unavailable (Retry-After: 1): the store cannot do what this
// request needs, e.g. "videos cannot be listed".
ApiError store_unavailable(std::string_view consequence);

// The envelope for an error status nginx itself produced inside the API
// (body too large, client timeout, ...), or for a failed result download.
ApiError error_for_status(int status);
ApiError download_error(int cdn_status);

}  // namespace vgw
