#include <gtest/gtest.h>

#include "auth/jwt_hs256.hpp"
#include "auth/signer.hpp"
#include "crypto/crypto.hpp"
#include "util/base64.hpp"

namespace vgw {
namespace {

std::string part(const std::string& jwt, int index) {
  size_t a = 0;
  for (int i = 0; i < index; ++i) a = jwt.find('.', a) + 1;
  size_t b = jwt.find('.', a);
  return jwt.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(crypto::to_hex(
                crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(crypto::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Test case 6: a key longer than the block is hashed first.
  crypto::HmacSha256Key long_key(std::string(131, '\xaa'));
  const std::string expected =
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
  EXPECT_EQ(crypto::to_hex(long_key.sign(
                "Test Using Larger Than Block-Size Key - Hash Key First")),
            expected);
  // A keyed MAC signs again and again from the same state.
  EXPECT_EQ(crypto::to_hex(long_key.sign(
                "Test Using Larger Than Block-Size Key - Hash Key First")),
            expected);
}

TEST(Jwt, SignsHs256OverHeaderAndClaims) {
  nlohmann::ordered_json claims = {{"iss", "ak"}, {"exp", 1800}, {"nbf", -5}};
  auto jwt = jwt_hs256(claims, "sk");
  auto header = nlohmann::json::parse(*base64url_decode(part(jwt, 0)));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["typ"], "JWT");
  auto body = nlohmann::json::parse(*base64url_decode(part(jwt, 1)));
  EXPECT_EQ(body["iss"], "ak");
  EXPECT_EQ(body["exp"], 1800);
  std::string signing_input = part(jwt, 0) + "." + part(jwt, 1);
  EXPECT_EQ(part(jwt, 2),
            base64url_encode(crypto::hmac_sha256("sk", signing_input)));
}

TEST(KlingSigner, CachesTheTokenAndRefreshesBeforeExpiry) {
  auto signer =
      make_signer("kling_jwt", {{"access_key", "AK"}, {"secret_key", "SK"}});
  UrlParts url;
  auto token_at = [&](int64_t now) {
    UpstreamCall call;
    signer->sign(call, url, now);
    EXPECT_EQ(call.headers.size(), 1u);
    EXPECT_EQ(call.headers[0].name, "Authorization");
    return call.headers[0].value;
  };
  auto first = token_at(1000);
  ASSERT_EQ(first.rfind("Bearer ", 0), 0u);
  auto claims =
      nlohmann::json::parse(*base64url_decode(part(first.substr(7), 1)));
  EXPECT_EQ(claims["iss"], "AK");
  EXPECT_EQ(claims["exp"], 1000 + 1800);
  EXPECT_EQ(claims["nbf"], 1000 - 5);
  EXPECT_EQ(token_at(1000 + 1700), first) << "cached within its lifetime";
  EXPECT_NE(token_at(1000 + 1745), first) << "re-minted a minute early";
}

// Expected values computed independently (Python hashlib/hmac) from the
// recipe in Volcengine's signature V4 documentation.
TEST(VolcHmacSigner, SignsTheExactBodyWithTheCvScope) {
  auto signer = make_signer(
      "volc_hmac", {{"access_key", "AKTEST"}, {"secret_key", "SKTEST"}});
  UpstreamCall call;
  call.method = "POST";
  call.url =
      "https://visual.volcengineapi.com/"
      "?Version=2022-08-31&Action=CVSync2AsyncSubmitTask";
  call.body = R"({"req_key":"jimeng_t2v_v30","prompt":"a cat"})";
  call.headers = {{"Content-Type", "application/json"}};
  signer->sign(call, *parse_url(call.url), 1764500000);
  EXPECT_EQ(find_header(call.headers, "X-Date"), "20251130T105320Z");
  EXPECT_EQ(find_header(call.headers, "X-Content-Sha256"),
            "2f281458116057487058e763801dcbee397c7b649f1cf0ab06a3f7d7a8143edb");
  EXPECT_EQ(find_header(call.headers, "Authorization"),
            "HMAC-SHA256 Credential=AKTEST/20251130/cn-north-1/cv/request, "
            "SignedHeaders=content-type;host;x-content-sha256;x-date, "
            "Signature="
            "ea1ab54489055e70df4a438770a00fcdff076a0a58956a1f9536c30576c22fca");
}

TEST(HeaderSigner, SendsOneNamedHeader) {
  auto signer = make_signer(
      "header", {{"name", "x-goog-api-key"}, {"value", "AIza-test"}});
  UpstreamCall call;
  signer->sign(call, UrlParts{}, 0);
  EXPECT_EQ(find_header(call.headers, "x-goog-api-key"), "AIza-test");
  EXPECT_THROW(make_signer("header", {{"name", "bad name"}, {"value", "v"}}),
               std::invalid_argument);
}

TEST(Signers, RejectUnknownSchemesAndMissingParameters) {
  EXPECT_THROW(make_signer("nope", {}), std::invalid_argument);
  EXPECT_THROW(make_signer("kling_jwt", {{"access_key", "a"}}),
               std::invalid_argument);
  EXPECT_THROW(
      make_signer("kling_jwt",
                  {{"access_key", "a"}, {"secret_key", "b"}, {"ttl", "7200"}}),
      std::invalid_argument);
  auto bearer = make_signer("bearer", {{"token", "sk-1"}});
  UpstreamCall call;
  bearer->sign(call, UrlParts{}, 0);
  ASSERT_EQ(call.headers.size(), 1u);
  EXPECT_EQ(call.headers[0].value, "Bearer sk-1");
}

}  // namespace
}  // namespace vgw
