#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http_types.hpp"
#include "util/strings.hpp"

namespace vgw {

// One authentication scheme. A signer sees the final call (URL, headers,
// exact body bytes) so schemes that hash the request can sign what is sent.
// Signers live in the per-worker copy of the configuration and may cache
// tokens; they never block.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual void sign(UpstreamCall& call, const UrlParts& url, int64_t now) = 0;

  // Schemes that trade a long-lived credential for a short-lived token
  // (OAuth) need one extra vendor call before signing: it is returned here
  // while no fresh token is cached, and its reply handed to accept_token()
  // (false: the exchange failed). The call runs through nginx like any
  // other vendor call, so nothing blocks.
  virtual bool exchanges_tokens() const { return false; }
  virtual std::optional<UpstreamCall> token_call(int64_t now) {
    return std::nullopt;
  }
  virtual bool accept_token(const UpstreamReply& reply, int64_t now) {
    return true;
  }
};

using SignerParams = std::map<std::string, std::string>;

// Builds the signer named by a vendor file's `auth.scheme`. Throws
// std::invalid_argument for an unknown scheme or missing parameter.
std::unique_ptr<Signer> make_signer(const std::string& scheme,
                                    const SignerParams& params);

// Names of every registered scheme, for error messages and docs.
std::string signer_names();

}  // namespace vgw
