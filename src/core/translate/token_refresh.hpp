#pragma once

#include <memory>

#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// Runs the vendor's token exchange (OAuth) first when its signer has no
// fresh token, then the operation itself. Vendors without one get `inner`
// back unchanged.
std::unique_ptr<Operation> with_fresh_token(Vendor& vendor,
                                            std::unique_ptr<Operation> inner);

}  // namespace vgw
