#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace vgw {

// Compact JWS with HS256: base64url(header).base64url(claims).signature.
std::string jwt_hs256(const nlohmann::ordered_json& claims,
                      const std::string& secret);

}  // namespace vgw
