#include <cstddef>
#include <cstdint>
#include <string>

#include "ids/video_id.hpp"

// Random ids must never open, and never crash the opener.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vgw::VideoIdSealer sealer({"fuzz key 0123456789abcdef"});
  std::string id(reinterpret_cast<const char*>(data), size);
  if (sealer.open(id, "tenant")) __builtin_trap();
  if (sealer.open("video_" + id, "tenant")) __builtin_trap();
  return 0;
}
