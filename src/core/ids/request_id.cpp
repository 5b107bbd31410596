#include "ids/request_id.hpp"

namespace vgw {
namespace {

// SplitMix64's finaliser: a bijection on 64-bit words.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void hex64(uint64_t v, char* out) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = digits[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

void RequestIdGenerator::next(char* out) {
  uint64_t n = ++counter_;
  hex64(mix(high_ + n * 0x9e3779b97f4a7c15ULL), out);
  hex64(mix(low_ ^ (n * 0xd1b54a32d192ed03ULL)), out + 16);
}

}  // namespace vgw
