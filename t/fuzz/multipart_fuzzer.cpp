#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/multipart.hpp"

// The first line is the boundary, the rest the body: both are attacker
// controlled (the boundary comes from the client's Content-Type).
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
  vgw::multipart_boundary(in);
  return 0;
}
