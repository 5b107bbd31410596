#include <gtest/gtest.h>

#include "net/client_target.hpp"
#include "net/host_address.hpp"

namespace vgw {
namespace {

bool refused(const std::string& url, const ClientTargetPolicy& policy = {}) {
  auto parts = parse_url(url);
  return !parts || refuse_client_target(*parts, policy).has_value();
}

TEST(HostAddress, OnlyCanonicalNumericHostsAreAddresses) {
  for (const char* host : {"127.0.0.01",
                           "0177.0.0.1",
                           "0x7f.0.0.1",
                           "127.1",
                           "2130706433",
                           "0x7f000001",
                           "0169.254.169.254",
                           "127.000.000.001",
                           "127.0.0.1.",
                           "1.2.3.4.5",
                           "256.1.1.1",
                           "0",
                           "1.2.3.0x4",
                           "[::1%25lo]",
                           "[zz::1]",
                           "exa mple.com",
                           "ex%61mple.com",
                           "a..b",
                           "",
                           "."}) {
    EXPECT_EQ(read_host(host).kind, HostSpelling::Kind::invalid) << host;
  }
  auto v4 = read_host("93.184.216.34");
  ASSERT_EQ(v4.kind, HostSpelling::Kind::address);
  EXPECT_EQ(v4.address.to_string(), "93.184.216.34");
  auto v6 = read_host("[2001:4860::8888]");
  ASSERT_EQ(v6.kind, HostSpelling::Kind::address);
  EXPECT_TRUE(v6.address.v6);
  auto name = read_host("Images.Example.COM.");
  ASSERT_EQ(name.kind, HostSpelling::Kind::name);
  EXPECT_EQ(name.name, "images.example.com");
  EXPECT_EQ(read_host("1.2.3.example").kind, HostSpelling::Kind::name);
}

TEST(HostAddress, InternalRangesIncludingEmbeddedIpv4) {
  for (const char* a : {"127.0.0.1",
                        "10.9.8.7",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "255.255.255.255",
                        "198.18.0.1",
                        "192.0.2.1",
                        "::1",
                        "::",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "::127.0.0.1",
                        "64:ff9b::a00:1",
                        "2002:7f00:1::",
                        "fe80::1",
                        "fc00::1",
                        "fd12::1",
                        "ff02::1",
                        "2001:db8::1"}) {
    auto ip = parse_ip(a);
    ASSERT_TRUE(ip) << a;
    EXPECT_TRUE(is_internal_address(*ip)) << a;
  }
  for (const char* a :
       {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1",
        "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"}) {
    EXPECT_FALSE(is_internal_address(*parse_ip(a))) << a;
  }
  EXPECT_FALSE(parse_ip("fe80::1%eth0"));
  EXPECT_TRUE(is_internal_name("LOCALHOST."));
  EXPECT_TRUE(is_internal_name("metadata.google.internal"));
  EXPECT_FALSE(is_internal_name("internal.example.com"));
}

TEST(ClientTarget, RefusesBeforeAnyLookup) {
  EXPECT_TRUE(refused("http://0177.0.0.1/x"));
  EXPECT_TRUE(refused("http://[::ffff:7f00:1]/x"));
  EXPECT_TRUE(refused("http://localhost:8080/x"));
  EXPECT_FALSE(refused("https://cdn.example.com/x.png"));
  EXPECT_FALSE(refused("https://93.184.216.34/x.png"));
  ClientTargetPolicy images{{"127.0.0.1", "*.corp"}, false};
  EXPECT_FALSE(refused("http://127.0.0.1/x", images));
  EXPECT_FALSE(refused("http://cdn.example.com/x", images));
  ClientTargetPolicy hooks{{"hooks.example.com"}, true};
  EXPECT_TRUE(refused("http://cdn.example.com/x", hooks));
  EXPECT_FALSE(refused("http://hooks.example.com/x", hooks));
  // The allow list names hosts as written: a spelling trick is no way in.
  EXPECT_TRUE(refused("http://0x7f.0.0.1/x", images));
}

TEST(ClientTarget, PinsToACheckedAddressKeepingTheName) {
  auto url = *parse_url("https://img.example.com:8443/a/b.png?x=1");
  EXPECT_EQ(name_to_resolve(url), "img.example.com");
  EXPECT_FALSE(name_to_resolve(*parse_url("https://93.184.216.34/a")));
  UpstreamCall call;
  call.url = "https://img.example.com:8443/a/b.png?x=1";
  EXPECT_FALSE(pin_client_target(call, url, {"93.184.216.34"}, {}));
  EXPECT_EQ(call.url, "https://93.184.216.34:8443/a/b.png?x=1");
  EXPECT_EQ(call.host, "img.example.com:8443");
  EXPECT_EQ(call.server_name, "img.example.com");
  UpstreamCall v6;
  EXPECT_FALSE(pin_client_target(v6, url, {"2606:4700::1111"}, {}));
  EXPECT_EQ(v6.url, "https://[2606:4700::1111]:8443/a/b.png?x=1");
  UpstreamCall mixed;
  EXPECT_TRUE(pin_client_target(mixed, url, {"93.184.216.34", "10.0.0.1"}, {}));
  EXPECT_TRUE(pin_client_target(mixed, url, {}, {}));
  ClientTargetPolicy allow{{"img.example.com"}, false};
  EXPECT_FALSE(pin_client_target(mixed, url, {"10.0.0.1"}, allow));
}

}  // namespace
}  // namespace vgw
