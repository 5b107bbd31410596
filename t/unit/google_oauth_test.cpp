#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "auth/signer.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Key make_rsa_key() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  EXPECT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
  EXPECT_EQ(EVP_PKEY_keygen(ctx.get(), &key), 1);
  return Key(key, EVP_PKEY_free);
}

std::string private_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

bool verify_rs256(EVP_PKEY* key, const std::string& input,
                  const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) ==
             1 &&
         EVP_DigestVerify(
             ctx.get(),
             reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(),
             reinterpret_cast<const unsigned char*>(input.data()),
             input.size()) == 1;
}

TEST(GoogleOAuthSigner, TradesAServiceAccountJwtAndCachesTheToken) {
  Key key = make_rsa_key();
  nlohmann::json account = {{"type", "service_account"},
                            {"client_email", "sa@p.iam.gserviceaccount.com"},
                            {"private_key", private_pem(key.get())},
                            {"token_uri", "https://oauth.test/token"}};
  auto signer =
      make_signer("google_oauth", {{"service_account", account.dump()}});
  auto call = signer->token_call(1000);
  ASSERT_TRUE(call);
  EXPECT_EQ(call->method, "POST");
  EXPECT_EQ(call->url, "https://oauth.test/token");
  const std::string prefix =
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
      "&assertion=";
  ASSERT_EQ(call->body.rfind(prefix, 0), 0u);
  std::string jwt = call->body.substr(prefix.size());
  auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  auto claims = nlohmann::json::parse(
      *base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(claims["iss"], "sa@p.iam.gserviceaccount.com");
  EXPECT_EQ(claims["aud"], "https://oauth.test/token");
  EXPECT_EQ(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), 3600);
  EXPECT_TRUE(verify_rs256(key.get(), jwt.substr(0, dot2),
                           *base64url_decode(jwt.substr(dot2 + 1))))
      << "RS256 signature verifies with the account's public key";

  UpstreamReply reply;
  reply.status = 200;
  std::string body = R"({"access_token":"ya29.t1","expires_in":3599})";
  reply.body = body;
  ASSERT_TRUE(signer->accept_token(reply, 1000));
  EXPECT_FALSE(signer->token_call(1000 + 3000)) << "cached";
  EXPECT_TRUE(signer->token_call(1000 + 3400)) << "renewed 5 min early";
  UpstreamCall api;
  signer->sign(api, UrlParts{}, 1000);
  EXPECT_EQ(find_header(api.headers, "Authorization"), "Bearer ya29.t1");

  reply.status = 400;
  EXPECT_FALSE(signer->accept_token(reply, 1000));
}

TEST(GoogleOAuthSigner, StaticTokenOrCleanErrors) {
  auto fixed = make_signer("google_oauth", {{"access_token", "ya29.static"}});
  EXPECT_FALSE(fixed->token_call(0));
  UpstreamCall api;
  fixed->sign(api, UrlParts{}, 0);
  EXPECT_EQ(find_header(api.headers, "Authorization"), "Bearer ya29.static");
  EXPECT_THROW(make_signer("google_oauth", {}), std::invalid_argument);
  EXPECT_THROW(
      make_signer("google_oauth", {{"service_account", R"({"type":"user"})"}}),
      std::invalid_argument);
  nlohmann::json bad_key = {{"type", "service_account"},
                            {"client_email", "a@b"},
                            {"private_key", "not a pem"}};
  EXPECT_THROW(
      make_signer("google_oauth", {{"service_account", bad_key.dump()}}),
      std::invalid_argument);
}

}  // namespace
}  // namespace vgw
