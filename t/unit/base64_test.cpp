#include <gtest/gtest.h>

#include <random>

#include "util/base64.hpp"

namespace vgw {
namespace {

// One character at a time, the plain reading of base64_decode's contract.
std::optional<std::string> reference_decode(std::string_view text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    auto at = alphabet.find(c);
    if (padding || at == std::string::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;
  return out;
}

TEST(Base64, KnownValues) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(base64_decode("Zm9v\r\nYmE="), std::string("fooba"));
  EXPECT_EQ(base64_decode("Zm 9v Ym Fy"), std::string("foobar"));
  EXPECT_EQ(base64_decode("Zg"), std::string("f"));
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);  // text after padding
  EXPECT_EQ(base64_decode("Zg==="), std::nullopt);
  EXPECT_EQ(base64_decode("Z"), std::nullopt);         // six bits are no byte
  EXPECT_EQ(base64_decode("Zm9v-_8A"), std::nullopt);  // url alphabet
}

TEST(Base64, RoundTripsEveryLengthAndMatchesTheReferenceOnNoise) {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 200; ++n) {
    std::string raw(n, '\0');
    for (auto& c : raw) c = static_cast<char>(rng());
    std::string text = base64_encode(raw);
    ASSERT_EQ(text.size(), base64_encoded_size(n));
    EXPECT_EQ(base64_decode(text), raw);
    std::string appended = "x";
    base64_encode_append(raw, appended);
    EXPECT_EQ(appended, "x" + text);
    EXPECT_EQ(base64url_decode(base64url_encode(raw)), raw);
  }
  // Base64-looking text with whitespace, padding and stray bytes anywhere.
  const std::string pieces = "AZaz09+/= \n\r\t-_.";
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 24, 'A');
    for (auto& c : text) {
      c = rng() % 4 == 0 ? pieces[rng() % pieces.size()] : "QUJDRA"[rng() % 6];
    }
    ASSERT_EQ(base64_decode(text), reference_decode(text)) << text;
  }
}

}  // namespace
}  // namespace vgw
