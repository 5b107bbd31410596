#include <gtest/gtest.h>

#include "util/strings.hpp"

namespace vgw {
namespace {

TEST(Strings, ParsesUrlsLikeNginxRendersHost) {
  auto u = parse_url("https://API.example.com/v1/x?y=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->authority, "api.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/v1/x");
  EXPECT_EQ(u->query, "y=1");
  auto l = parse_url("http://127.0.0.1:9001");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->authority, "127.0.0.1:9001");
  EXPECT_EQ(l->path, "/");
  EXPECT_FALSE(parse_url("ftp://x/"));
  EXPECT_FALSE(parse_url("http://user@host/"));
  EXPECT_FALSE(parse_url("http://host:99999/"));
}

TEST(Strings, GlobMatchesHostsAndModels) {
  EXPECT_TRUE(glob_match("*.klingai.com", "cdn.klingai.com"));
  EXPECT_FALSE(glob_match("*.klingai.com", "klingai.com.evil.net"));
  EXPECT_TRUE(glob_match("kling-*", "KLING-v2-6"));
  EXPECT_TRUE(glob_match("sora-2", "sora-2"));
  EXPECT_FALSE(glob_match("sora-2", "sora-2-pro"));
}

TEST(Strings, ParsesSizes) {
  auto d = parse_size("1280x720");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 1280u);
  EXPECT_EQ(d->height, 720u);
  EXPECT_FALSE(parse_size("1280*720"));
  EXPECT_FALSE(parse_size("0x720"));
  EXPECT_FALSE(parse_size("x"));
}

TEST(Strings, ParsesSignedCounters) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-15"), -15);
  EXPECT_EQ(parse_int("900000000000000000"), 900000000000000000);
  EXPECT_EQ(parse_int("1000000000000000000"), std::nullopt) << "19 digits";
  for (const char* bad : {"", "-", "+1", "1.5", " 1", "--1", "1-"}) {
    EXPECT_EQ(parse_int(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace vgw
