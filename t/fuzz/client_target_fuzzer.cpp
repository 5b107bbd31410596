#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "net/client_target.hpp"
#include "net/host_address.hpp"

// Hosts in URLs a client chose: every spelling must be either refused, a
// DNS name, or an address that every reader agrees on (glibc's inet_aton,
// which reads octal and hex, never disagrees with a host read as IPv4).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  vgw::HostSpelling host = vgw::read_host(input);
  if (host.kind == vgw::HostSpelling::Kind::address && !host.address.v6) {
    in_addr glibc{};
    if (inet_aton(input.c_str(), &glibc) != 0 &&
        std::memcmp(&glibc, host.address.bytes.data(), 4) != 0) {
      __builtin_trap();
    }
    // Canonical: the address prints as it was written.
    if (host.address.to_string() != input) __builtin_trap();
  }
  if (host.kind == vgw::HostSpelling::Kind::name) {
    if (vgw::read_host(host.name).kind != vgw::HostSpelling::Kind::name) {
      __builtin_trap();
    }
  }
  auto url = vgw::parse_url("http://" + input + "/x");
  if (!url) return 0;
  vgw::ClientTargetPolicy open_policy;
  auto refusal = vgw::refuse_client_target(*url, open_policy);
  vgw::HostSpelling parsed = vgw::read_host(url->host);
  if (!refusal && parsed.kind == vgw::HostSpelling::Kind::address &&
      vgw::is_internal_address(parsed.address)) {
    __builtin_trap();  // an internal literal got through
  }
  if (!refusal && parsed.kind == vgw::HostSpelling::Kind::invalid) {
    __builtin_trap();
  }
  // Resolver answers are fuzzed too: pinning never lets an internal one by.
  vgw::UpstreamCall call;
  call.url = "http://" + input + "/x";
  std::string address = input.substr(0, input.find('/'));
  if (!vgw::pin_client_target(call, *url, {address}, open_policy)) {
    auto ip = vgw::parse_ip(address);
    if (!ip || vgw::is_internal_address(*ip)) __builtin_trap();
  }
  return 0;
}
