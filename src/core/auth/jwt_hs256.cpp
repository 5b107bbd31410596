#include "auth/jwt_hs256.hpp"

#include "crypto/crypto.hpp"
#include "util/base64.hpp"

namespace vgw {

std::string jwt_hs256(const nlohmann::ordered_json& claims,
                      const std::string& secret) {
  const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  std::string input = header + "." + base64url_encode(claims.dump());
  return input + "." + base64url_encode(crypto::hmac_sha256(secret, input));
}

}  // namespace vgw
