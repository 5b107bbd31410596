#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vgw {

std::string base64_encode(std::string_view data);
// Appends to `out` so large images can be encoded straight into a body
// buffer that was reserved once.
void base64_encode_append(std::string_view data, std::string& out);
size_t base64_encoded_size(size_t raw_size);
std::string base64url_encode(std::string_view data);  // no padding

// Accepts the standard alphabet (padding optional, ASCII whitespace
// ignored). Returns nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace vgw
