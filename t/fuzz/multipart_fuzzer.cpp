#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/character_request.hpp"
#include "api/multipart.hpp"
#include "api/video_upload.hpp"

// The first line is the boundary, the rest the body: both are attacker
// controlled (the boundary comes from the client's Content-Type). The
// character parser reads the same bodies (its video stays a view of them).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto boundary = in.substr(0, nl);
  auto body = in.substr(nl + 1);
  auto result = vgw::parse_multipart(body, boundary);
  for (const auto& part : result.parts) {
    // Every part must point inside the body it was parsed from.
    if (part.data.data() < body.data() ||
        part.data.data() + part.data.size() > body.data() + body.size()) {
      __builtin_trap();
    }
  }
  vgw::CharacterRequest character;
  std::string type = "multipart/form-data; boundary=" + std::string(boundary);
  if (!vgw::parse_character_request(type, body, character)) {
    auto video = character.video.data;
    if (video.data() < body.data() ||
        video.data() + video.size() > body.data() + body.size() ||
        character.name.empty() || character.video.mime.empty()) {
      __builtin_trap();
    }
  }
  vgw::multipart_boundary(in);
  vgw::mp4_duration_seconds(in);  // box sizes are the uploader's to choose
  return 0;
}
