#pragma once

#include <memory>
#include <string>

#include "tenants/tenant_directory.hpp"
#include "translate/operation.hpp"

namespace vgw {

// A tenant's creates counted against its limits in the store, before the
// vendor is called: creates per minute (429 rate_limit_exceeded with
// Retry-After to the next minute), video-seconds per UTC day and month
// (429 insufficient_quota, not worth retrying: x-should-retry false). The
// seconds charged are the vendor's (a Kling 8 s request renders 10 s), and
// are given back when the create ends without a task. A refused create is
// not counted. An unreachable store lets creates through (fail open).
std::unique_ptr<Operation> with_tenant_quota(std::unique_ptr<Operation> create,
                                             const Tenant& tenant);

}  // namespace vgw
