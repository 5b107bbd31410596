#include "net/host_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "util/strings.hpp"

namespace vgw {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

// The WHATWG URL parser's "ends in a number": such a host is an IPv4 address
// to every reader, in one spelling or another.
bool ends_in_number(std::string_view host) {
  auto dot = host.rfind('.');
  std::string_view last =
      dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (all_digits(last)) return true;
  return last.size() >= 2 && last[0] == '0' &&
         (last[1] == 'x' || last[1] == 'X');
}

std::optional<IpAddress> canonical_ipv4(std::string_view host) {
  auto parts = split(host, '.');
  if (parts.size() != 4) return std::nullopt;
  IpAddress a;
  for (size_t i = 0; i < 4; ++i) {
    std::string_view p = parts[i];
    if (!all_digits(p) || p.size() > 3 || (p.size() > 1 && p[0] == '0')) {
      return std::nullopt;
    }
    auto n = parse_uint(p);
    if (!n || *n > 255) return std::nullopt;
    a.bytes[i] = static_cast<uint8_t>(*n);
  }
  return a;
}

bool valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (auto label : split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_';
      if (!ok) return false;
    }
  }
  return true;
}

bool internal_v4(const uint8_t* a) {
  auto in = [&](uint8_t b0, uint8_t b1, int prefix) {
    uint32_t addr = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) |
                    (uint32_t{a[2]} << 8) | a[3];
    uint32_t net = (uint32_t{b0} << 24) | (uint32_t{b1} << 16);
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return (addr & mask) == (net & mask);
  };
  return in(0, 0, 8) ||  // "this network"
         in(10, 0, 8) || in(172, 16, 12) || in(192, 168, 16) ||  // RFC 1918
         in(100, 64, 10) ||                                      // CGNAT
         in(127, 0, 8) ||                                        // loopback
         in(169, 254, 16) ||  // link-local, metadata
         (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
         (a[0] == 198 && (a[1] & 0xFE) == 18) ||  // benchmarking
         (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
         (a[0] == 203 && a[1] == 0 && a[2] == 113) ||  // documentation
         a[0] >= 224;                                  // multicast, reserved
}

}  // namespace

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) ==
      nullptr) {
    return std::string();
  }
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (s.find('%') == std::string::npos &&
      inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

HostSpelling read_host(std::string_view host) {
  HostSpelling out;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string inner(host.substr(1, host.size() - 2));
    IpAddress a;
    if (inner.find('%') != std::string::npos ||
        inet_pton(AF_INET6, inner.c_str(), a.bytes.data()) != 1) {
      return out;
    }
    a.v6 = true;
    out.kind = HostSpelling::Kind::address;
    out.address = a;
    return out;
  }
  std::string name = to_lower(host);
  bool trailing_dot = !name.empty() && name.back() == '.';
  if (trailing_dot) name.pop_back();
  if (name.empty()) return out;
  if (ends_in_number(name)) {
    auto v4 = trailing_dot ? std::nullopt : canonical_ipv4(name);
    if (!v4) return out;
    out.kind = HostSpelling::Kind::address;
    out.address = *v4;
    return out;
  }
  if (!valid_dns_name(name)) return out;
  out.kind = HostSpelling::Kind::name;
  out.name = std::move(name);
  return out;
}

bool is_internal_address(const IpAddress& address) {
  const uint8_t* b = address.bytes.data();
  if (!address.v6) return internal_v4(b);
  auto zeros = [&](size_t from, size_t to) {
    return std::all_of(b + from, b + to, [](uint8_t x) { return x == 0; });
  };
  // ::/96 covers :: , ::1 and the deprecated IPv4-compatible form.
  if (zeros(0, 12)) return zeros(12, 15) || internal_v4(b + 12);
  if (zeros(0, 10) && b[10] == 0xFF && b[11] == 0xFF)
    return internal_v4(b + 12);
  static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
  if (std::memcmp(b, nat64, 12) == 0) return internal_v4(b + 12);
  // Local-use NAT64 (64:ff9b:1::/48) translates into the operator's network.
  if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 &&
      b[5] == 1) {
    return true;
  }
  if (b[0] == 0x20 && b[1] == 0x02) return internal_v4(b + 2);  // 6to4
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return true;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;
  if (b[0] == 0x01 && b[1] == 0 && zeros(2, 8)) return true;  // discard
  return (b[0] & 0xFE) == 0xFC ||                             // unique local
         (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) ||           // link-local
         (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) ||           // site-local
         b[0] == 0xFF;                                        // multicast
}

bool is_internal_name(std::string_view name) {
  std::string n = to_lower(name);
  if (!n.empty() && n.back() == '.') n.pop_back();
  return n == "localhost" || ends_with(n, ".localhost") ||
         ends_with(n, ".local") || ends_with(n, ".internal") ||
         ends_with(n, ".home.arpa");
}

}  // namespace vgw
