#include "api/video_reference.hpp"

#include "api/multipart.hpp"
#include "util/json_reader.hpp"
#include "util/strings.hpp"

namespace vgw {

std::optional<std::string> referenced_video_id(std::string_view content_type,
                                               std::string_view body) {
  std::string media =
      to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (media == "multipart/form-data") {
    auto boundary = multipart_boundary(content_type);
    if (!boundary) return std::nullopt;
    MultipartResult parsed = parse_multipart(body, *boundary);
    if (!parsed.ok()) return std::nullopt;
    for (const auto& part : parsed.parts) {
      if (part.name == "video[id]" && !part.filename) {
        return std::string(part.data);
      }
    }
    return std::nullopt;
  }
  Json doc = read_json(body);
  if (!doc.is_object()) return std::nullopt;
  auto video = doc.find("video");
  if (video == doc.end() || !video->is_object()) return std::nullopt;
  auto id = video->find("id");
  if (id == video->end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

}  // namespace vgw
