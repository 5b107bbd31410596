#include <nlohmann/json.hpp>

#include "auth/signer_schemes.hpp"
#include "crypto/crypto.hpp"
#include "util/base64.hpp"
#include "util/json_reader.hpp"

namespace vgw {

// Google Cloud (Vertex AI) OAuth: either a static access token, or a
// service-account JSON key traded for an access token (RFC 7523 JWT bearer
// grant: an RS256 JWT with iss = client_email, scope, aud = token_uri). The
// exchange is an ordinary vendor call through nginx; the token is cached in
// the worker and renewed five minutes before it expires.
class GoogleOAuthSigner : public Signer {
 public:
  explicit GoogleOAuthSigner(std::string token) : token_(std::move(token)) {}

  GoogleOAuthSigner(const nlohmann::json& key, std::string scope)
      : client_email_(key.at("client_email").get<std::string>()),
        token_uri_(key.value(
            "token_uri", std::string("https://oauth2.googleapis.com/token"))),
        scope_(std::move(scope)),
        key_(std::make_unique<crypto::RsaKey>(
            key.at("private_key").get<std::string>())) {}

  void sign(UpstreamCall& call, const UrlParts&, int64_t) override {
    if (!token_.empty())
      call.headers.push_back({"Authorization", "Bearer " + token_});
  }

  bool exchanges_tokens() const override { return key_ != nullptr; }

  std::optional<UpstreamCall> token_call(int64_t now) override {
    if (!key_ || (!token_.empty() && now < refresh_at_)) return std::nullopt;
    nlohmann::ordered_json header = {{"alg", "RS256"}, {"typ", "JWT"}};
    nlohmann::ordered_json claims = {{"iss", client_email_},
                                     {"scope", scope_},
                                     {"aud", token_uri_},
                                     {"iat", now},
                                     {"exp", now + 3600}};
    std::string input =
        base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
    std::string jwt = input + "." + base64url_encode(key_->sign_sha256(input));
    UpstreamCall call;
    call.method = "POST";
    call.url = token_uri_;
    call.headers.push_back(
        {"Content-Type", "application/x-www-form-urlencoded"});
    call.body =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        "&assertion=" +
        jwt;
    return call;
  }

  bool accept_token(const UpstreamReply& reply, int64_t now) override {
    if (reply.status != 200) return false;
    auto body = read_json(reply.body);
    if (!body.is_object() || !body["access_token"].is_string()) return false;
    std::string token = body["access_token"].get<std::string>();
    if (token.empty() || has_control_chars(token)) return false;
    int64_t lifetime = body.value("expires_in", int64_t{3600});
    token_ = std::move(token);
    refresh_at_ = now + std::max<int64_t>(60, lifetime - 300);
    return true;
  }

 private:
  std::string token_;
  int64_t refresh_at_ = 0;
  std::string client_email_;
  std::string token_uri_;
  std::string scope_;
  std::unique_ptr<crypto::RsaKey> key_;
};

std::unique_ptr<Signer> make_google_oauth_signer(const SignerParams& params) {
  auto param = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  std::string token = param("access_token");
  std::string account = param("service_account");
  if (token.empty() == account.empty()) {
    throw std::invalid_argument(
        "google_oauth: set exactly one of access_token or service_account");
  }
  if (!token.empty()) return std::make_unique<GoogleOAuthSigner>(token);
  auto key = read_json(account);
  if (!key.is_object() || key.value("type", "") != "service_account" ||
      !key["client_email"].is_string() || !key["private_key"].is_string()) {
    throw std::invalid_argument(
        "google_oauth: service_account is not a service-account JSON key");
  }
  std::string scope = param("scope");
  if (scope.empty()) scope = "https://www.googleapis.com/auth/cloud-platform";
  try {
    return std::make_unique<GoogleOAuthSigner>(key, scope);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("google_oauth: private_key: ") +
                                e.what());
  }
}

}  // namespace vgw
