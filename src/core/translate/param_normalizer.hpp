#pragma once

#include <optional>
#include <string>

#include "api/api_error.hpp"
#include "rules/vendor_rules.hpp"

namespace vgw {

// Applies a vendor's (or model's) duration and size rules to what the client
// asked for: the default when absent, the value itself when supported, and
// otherwise the nearest supported value or a 400 naming the allowed values,
// as the rule says.
std::optional<ApiError> normalize_seconds(
    const SecondsRule& rule, const std::optional<std::string>& asked,
    const std::string& model, std::string& out);
std::optional<ApiError> normalize_size(const SizeRule& rule,
                                       const std::optional<std::string>& asked,
                                       const std::string& model,
                                       std::string& out);

}  // namespace vgw
