#pragma once

#include "http_types.hpp"

namespace vgw {

// A create answered this way made no vendor task: it was refused (4xx), or
// failed in a way the SDKs retry. A 5xx with x-should-retry: false is one
// whose task may exist (a reply lost after the vendor created it), so
// whatever it was charged is kept.
bool create_made_no_task(const HttpResponse& response);

}  // namespace vgw
