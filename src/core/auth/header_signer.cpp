#include "auth/signer_schemes.hpp"

namespace vgw {

// One fixed header carrying a static key, named by the vendor file:
// `Authorization: Token <key>` (Vidu), `x-goog-api-key: <key>` (Gemini).
// Unlike a plain `headers:` entry it is also sent on downloads that need
// the vendor's credentials (`send_auth`).
class HeaderSigner : public Signer {
 public:
  HeaderSigner(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  void sign(UpstreamCall& call, const UrlParts&, int64_t) override {
    call.headers.push_back({name_, value_});
  }

 private:
  std::string name_;
  std::string value_;
};

std::unique_ptr<Signer> make_header_signer(const SignerParams& params) {
  std::string name = require_param(params, "header", "name");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      throw std::invalid_argument("header: bad header name '" + name + "'");
    }
  }
  return std::make_unique<HeaderSigner>(
      std::move(name), require_param(params, "header", "value"));
}

// `Authorization: Bearer <token>`: OpenAI-compatible upstreams and most
// vendors with a static API key.
std::unique_ptr<Signer> make_bearer_signer(const SignerParams& params) {
  return make_header_signer(
      {{"name", "Authorization"},
       {"value", "Bearer " + require_param(params, "bearer", "token")}});
}

}  // namespace vgw
