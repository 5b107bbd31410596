#include "auth/signer_schemes.hpp"

namespace vgw {
namespace {

// No vendor-level auth: for upstreams that need none, or whose credential is
// a plain header declared in the vendor file's `headers:`.
class NoSigner : public Signer {
 public:
  void sign(UpstreamCall&, const UrlParts&, int64_t) override {}
};

struct Scheme {
  const char* name;
  std::unique_ptr<Signer> (*make)(const SignerParams&);
};

std::unique_ptr<Signer> make_no_signer(const SignerParams&) {
  return std::make_unique<NoSigner>();
}

constexpr Scheme kSchemes[] = {
    {"none", make_no_signer},
    {"bearer", make_bearer_signer},
    {"kling_jwt", make_kling_jwt_signer},
    {"header", make_header_signer},
    {"volc_hmac", make_volc_hmac_signer},
    {"google_oauth", make_google_oauth_signer},
};

}  // namespace

std::unique_ptr<Signer> make_signer(const std::string& scheme,
                                    const SignerParams& params) {
  for (const auto& s : kSchemes) {
    if (scheme == s.name) return s.make(params);
  }
  throw std::invalid_argument("unknown auth scheme '" + scheme +
                              "' (known: " + signer_names() + ")");
}

std::string signer_names() {
  std::string out;
  for (const auto& s : kSchemes)
    out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

}  // namespace vgw
