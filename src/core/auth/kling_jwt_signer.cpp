#include "auth/jwt_hs256.hpp"
#include "auth/signer_schemes.hpp"

namespace vgw {

// Kling: a JWT signed with the secret key, `iss` = access key. Kling refuses
// tokens that live longer than 30 minutes and the official sample back-dates
// `nbf` by 5 s for clock skew. The token is cached per worker and re-minted
// a minute before it expires, so signing costs one HMAC per half hour.
class KlingJwtSigner : public Signer {
 public:
  KlingJwtSigner(std::string access_key, std::string secret_key, int64_t ttl)
      : access_key_(std::move(access_key)),
        secret_key_(std::move(secret_key)),
        ttl_(ttl) {}

  void sign(UpstreamCall& call, const UrlParts&, int64_t now) override {
    if (header_.empty() || now >= refresh_at_) {
      nlohmann::ordered_json claims = {
          {"iss", access_key_}, {"exp", now + ttl_}, {"nbf", now - 5}};
      header_ = "Bearer " + jwt_hs256(claims, secret_key_);
      refresh_at_ = now + ttl_ - std::min<int64_t>(60, ttl_ / 2);
    }
    call.headers.push_back({"Authorization", header_});
  }

 private:
  std::string access_key_;
  std::string secret_key_;
  int64_t ttl_;
  std::string header_;
  int64_t refresh_at_ = 0;
};

std::unique_ptr<Signer> make_kling_jwt_signer(const SignerParams& params) {
  int64_t ttl = 1800;
  if (auto it = params.find("ttl"); it != params.end()) {
    auto v = parse_uint(it->second);
    if (!v || *v < 60 || *v > 1800) {
      throw std::invalid_argument("kling_jwt: ttl must be 60..1800 seconds");
    }
    ttl = static_cast<int64_t>(*v);
  }
  return std::make_unique<KlingJwtSigner>(
      require_param(params, "kling_jwt", "access_key"),
      require_param(params, "kling_jwt", "secret_key"), ttl);
}

}  // namespace vgw
