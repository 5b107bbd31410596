#include "util/internal_host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "util/strings.hpp"

namespace vgw {
namespace {

bool internal_v4(const unsigned char* a) {
  return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
         (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
         (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64) ||
         a[0] >= 224;
}

}  // namespace

bool is_internal_host(const std::string& raw) {
  std::string host = to_lower(raw);
  if (!host.empty() && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || ends_with(host, ".localhost") ||
      ends_with(host, ".local") || ends_with(host, ".internal")) {
    return true;
  }
  unsigned char v4[4];
  if (inet_pton(AF_INET, host.c_str(), v4) == 1) return internal_v4(v4);
  unsigned char v6[16];
  if (inet_pton(AF_INET6, host.c_str(), v6) == 1) {
    static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                               0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(v6, loopback, 16) == 0) return true;
    if (std::memcmp(v6, mapped, 12) == 0) return internal_v4(v6 + 12);
    return (v6[0] & 0xFE) == 0xFC ||
           (v6[0] == 0xFE && (v6[1] & 0xC0) == 0x80) ||
           std::all_of(v6, v6 + 16, [](unsigned char b) { return b == 0; });
  }
  return false;
}

}  // namespace vgw
