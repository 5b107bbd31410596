#include "translate/create_outcome.hpp"

namespace vgw {

bool create_made_no_task(const HttpResponse& r) {
  if (r.status < 400) return false;
  if (r.status < 500) return true;
  auto retry = find_header(r.headers, "x-should-retry");
  return !retry || *retry != "false";
}

}  // namespace vgw
