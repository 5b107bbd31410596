#include "auth/signer_schemes.hpp"

namespace vgw {

// `Authorization: Bearer <token>`: OpenAI-compatible upstreams and most
// vendors with a static API key.
class BearerSigner : public Signer {
 public:
  explicit BearerSigner(std::string token) : value_("Bearer " + token) {}
  void sign(UpstreamCall& call, const UrlParts&, int64_t) override {
    call.headers.push_back({"Authorization", value_});
  }

 private:
  std::string value_;
};

std::unique_ptr<Signer> make_bearer_signer(const SignerParams& params) {
  return std::make_unique<BearerSigner>(
      require_param(params, "bearer", "token"));
}

}  // namespace vgw
