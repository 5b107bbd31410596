#include "util/utf8.hpp"

namespace vgw {

int utf8_sequence(const unsigned char* p, const unsigned char* end) {
  unsigned char c = *p;
  int n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i <= n; ++i) {
    if (p + i >= end) return -i;
    unsigned char low = i == 1 ? lo : 0x80, high = i == 1 ? hi : 0xBF;
    if (p[i] < low || p[i] > high) return -i;
  }
  return n + 1;
}

}  // namespace vgw
