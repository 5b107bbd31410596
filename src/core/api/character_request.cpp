#include "api/character_request.hpp"

#include "api/multipart.hpp"
#include "util/strings.hpp"
#include "util/utf8.hpp"

namespace vgw {
namespace {

constexpr size_t kMaxNameChars = 80;

// Characters in well-formed UTF-8 text without control characters, or
// nullopt for anything else (a name is echoed in JSON and sent to vendors).
std::optional<size_t> text_chars(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  size_t n = 0;
  while (p < end) {
    if (*p < 0x80) {
      if (*p < 0x20 || *p == 0x7F) return std::nullopt;
      ++p;
    } else {
      int len = utf8_sequence(p, end);
      if (len <= 0) return std::nullopt;
      p += len;
    }
    ++n;
  }
  return n;
}

}  // namespace

std::optional<ApiError> parse_character_request(std::string_view content_type,
                                                std::string_view body,
                                                CharacterRequest& out) {
  std::string media =
      to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (media != "multipart/form-data") {
    return invalid_request(
        "A character is made from an uploaded video: send multipart/form-data "
        "with a 'video' file and a 'name'.",
        std::nullopt, "invalid_content_type");
  }
  auto boundary = multipart_boundary(content_type);
  if (!boundary) {
    return invalid_request(
        "multipart/form-data request without a valid boundary parameter.",
        std::nullopt, "invalid_multipart");
  }
  MultipartResult parsed = parse_multipart(body, *boundary);
  if (!parsed.ok()) {
    return invalid_request(
        "Malformed multipart/form-data body: " + parsed.error + ".",
        std::nullopt, "invalid_multipart");
  }
  bool has_name = false;
  bool has_video = false;
  for (const auto& part : parsed.parts) {
    const std::string& name = part.name;
    bool seen = name == "name" ? has_name : name == "video" ? has_video : false;
    if (seen || (name == "model" && !out.model.empty())) {
      return invalid_request("Duplicate parameter '" + name + "'.", name,
                             "duplicate_parameter");
    }
    if (name == "name" && !part.filename) {
      has_name = true;
      out.name = std::string(trim(part.data));
    } else if (name == "model" && !part.filename) {
      out.model = std::string(trim(part.data));
    } else if (name == "video" && part.filename) {
      has_video = true;
      if (auto e = take_uploaded_video(part.data, *part.filename, out.video)) {
        return e;
      }
    } else if (name == "video" || name == "video[id]") {
      return invalid_request(
          "A character is made from an uploaded video file ('video'), not "
          "from a video id or a URL.",
          std::string("video"), "invalid_video");
    } else {
      return invalid_request(
          "Unrecognized request argument supplied: " + name.substr(0, 100),
          name, "unknown_parameter");
    }
  }
  if (!has_video) {
    return invalid_request("Missing required parameter: 'video'.", "video",
                           "missing_required_parameter");
  }
  if (!has_name || out.name.empty()) {
    return invalid_request("Missing required parameter: 'name'.", "name",
                           "missing_required_parameter");
  }
  auto chars = text_chars(out.name);
  if (!chars || *chars > kMaxNameChars) {
    return invalid_request(
        "Invalid 'name': at most 80 characters of text, no control "
        "characters.",
        std::string("name"), "invalid_value");
  }
  return std::nullopt;
}

}  // namespace vgw
