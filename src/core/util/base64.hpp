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
// Writes exactly base64_encoded_size(data.size()) bytes to `out`.
void base64_encode_to(std::string_view data, char* out);
std::string base64url_encode(std::string_view data);  // no padding
void base64url_encode_append(std::string_view data, std::string& out);

// Accepts the standard alphabet (padding optional, ASCII whitespace
// ignored). Returns nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);
// Decodes into `out` (room for text.size() / 4 * 3 + 3 bytes); the number of
// bytes written, or nullopt on a byte outside the alphabet.
std::optional<size_t> base64_decode_to(std::string_view text, char* out);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace vgw
