#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "translate/operation.hpp"

namespace vgw {

struct BreakerSettings {
  int failures = 5;  // consecutive vendor failures that open it
  int64_t cooldown_seconds = 30;
  bool enabled() const { return failures > 0; }
};

// Stops sending calls to a vendor that keeps failing, for every worker (and
// every instance sharing the store): after `failures` consecutive failed
// calls (no reply, or a 5xx), calls are refused with 503 and Retry-After for
// the cooldown; then one call is let through as a probe, and its success
// closes the breaker. State lives in the store under the vendor's name; an
// unreachable store lets calls through (fail open).
// What one worker last learnt of a vendor's breaker: the second it read it
// closed. Calls in that same second skip the store read (a breaker opened
// by another worker stops this one's calls a second later at most); a
// failure this worker sees forgets it.
struct BreakerMemo {
  int64_t closed_at = -1;
};

// `vendor`: the vendor's name; it and `memo` outlive the operation.
std::unique_ptr<Operation> with_breaker(std::unique_ptr<Operation> inner,
                                        const std::string& vendor,
                                        const BreakerSettings& settings,
                                        BreakerMemo& memo);

}  // namespace vgw
