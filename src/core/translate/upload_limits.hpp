#pragma once

#include <optional>

#include "api/api_error.hpp"
#include "api/client_request.hpp"
#include "rules/vendor_rules.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// 400 when an uploaded video is not of a type the vendor takes or is
// larger than it takes, before any call. `does` finishes "Vendor 'x' ...
// videos of at most N bytes" ("makes characters from", "extends").
std::optional<ApiError> refuse_upload(const VideoLimits& limits,
                                      const ImageInput& video,
                                      const Vendor& vendor, const char* does);

}  // namespace vgw
