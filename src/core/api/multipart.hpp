#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vgw {

struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;  // empty when the part had none
  std::string_view data;     // points into the parsed body
};

struct MultipartLimits {
  size_t max_parts = 64;
  size_t max_part_header_bytes = 8 * 1024;
};

// Extracts the boundary parameter of a multipart/form-data Content-Type.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Parses a complete multipart/form-data body (RFC 7578). Returns the parts
// or a human-readable reason why the body is malformed.
struct MultipartResult {
  std::vector<MultipartPart> parts;
  std::string error;
  bool ok() const { return error.empty(); }
};
MultipartResult parse_multipart(std::string_view body,
                                std::string_view boundary,
                                const MultipartLimits& limits = {});

}  // namespace vgw
