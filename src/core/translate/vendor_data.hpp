#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "translate/vendor.hpp"

namespace vgw {

// Vendor replies are untrusted input: their text reaches clients and logs,
// their ids go into later URLs, their numbers into timestamps.

// Text for a client: credentials removed, control characters blanked,
// capped at `max_bytes` on a UTF-8 boundary ("..." marks the cut).
std::string client_safe_text(const Vendor& vendor, std::string_view text,
                             size_t max_bytes = 500);

// A task id is placed raw into later request paths and queries. nullopt
// when it can be: 1-512 characters of letters, digits and "-._~:@=,", and
// for vendors whose ids are resource paths (Veo's operation names) "/"
// between non-empty segments that are not "." or "..".
std::optional<std::string> task_id_problem(std::string_view id, bool path_like);

}  // namespace vgw
