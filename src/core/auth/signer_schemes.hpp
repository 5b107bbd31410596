#pragma once

#include <stdexcept>

#include "auth/signer.hpp"

namespace vgw {

// One factory per scheme; each lives in its own <scheme>_signer.cpp.
std::unique_ptr<Signer> make_bearer_signer(const SignerParams& params);
std::unique_ptr<Signer> make_kling_jwt_signer(const SignerParams& params);
std::unique_ptr<Signer> make_header_signer(const SignerParams& params);
std::unique_ptr<Signer> make_volc_hmac_signer(const SignerParams& params);
std::unique_ptr<Signer> make_google_oauth_signer(const SignerParams& params);

inline std::string require_param(const SignerParams& params,
                                 const std::string& scheme,
                                 const std::string& name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) {
    throw std::invalid_argument(scheme + ": missing '" + name + "'");
  }
  return it->second;
}

}  // namespace vgw
