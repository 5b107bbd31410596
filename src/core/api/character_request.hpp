#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/api_error.hpp"
#include "api/client_request.hpp"

namespace vgw {

// POST /v1/videos/characters as the SDKs send it: multipart with a `name`
// (at most 80 characters) and a `video` file. `model` is the gateway's own
// addition: which model the character is for, so which vendor keeps it
// (optional where only one can).
struct CharacterRequest {
  std::string name;
  std::string model;
  ImageInput video;  // kind bytes, a view of the body; mime sniffed
};

std::optional<ApiError> parse_character_request(std::string_view content_type,
                                                std::string_view body,
                                                CharacterRequest& out);

}  // namespace vgw
