#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vgw {

// An IPv4 or IPv6 address; IPv4 uses the first four bytes.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  std::string to_string() const;  // canonical text, IPv6 without brackets
};

// How a host from a URL someone else supplied is to be read.
struct HostSpelling {
  enum class Kind {
    name,     // a DNS name: letters, digits, '-', '_', dots
    address,  // canonical dotted-quad IPv4 or bracketed IPv6
    invalid,  // anything else
  };
  Kind kind = Kind::invalid;
  std::string name;   // lower-cased, without a trailing dot (Kind::name)
  IpAddress address;  // Kind::address
};

// Numeric hosts are read differently by browsers, glibc's inet_aton (octal
// "0177", hex "0x7f", "127.1") and nginx's ngx_inet_addr (leading zeros are
// decimal: "0169.254.169.254" is 169.254.169.254), so the only numeric form
// accepted is the canonical one: four decimal octets without leading zeros.
// A host whose last label is numeric but not canonical is `invalid`, as is a
// name with characters DNS names do not have.
HostSpelling read_host(std::string_view host);

// Parses the text nginx's resolver reports ("93.184.216.34", "2001:db8::1").
std::optional<IpAddress> parse_ip(std::string_view text);

// Loopback, private, link-local (cloud metadata), CGNAT, unspecified,
// multicast, reserved and documentation ranges, and IPv6 forms that embed an
// IPv4 address of those (mapped, compatible, NAT64, 6to4): addresses the
// gateway must not contact on a client's behalf.
bool is_internal_address(const IpAddress& address);

// `localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`: names
// that mean this network whatever DNS says.
bool is_internal_name(std::string_view name);

}  // namespace vgw
