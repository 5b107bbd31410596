#pragma once

#include <memory>

#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// The vendor's deletion of a finished task (the rules' `delete:`): answers
// 200 when the vendor deleted it or no longer has it (a 404), otherwise
// the vendor's error as the client sees vendor errors. nullptr when the
// vendor's rules have no deletion.
std::unique_ptr<Operation> make_vendor_delete_operation(Vendor& vendor,
                                                        VideoRecord record);

}  // namespace vgw
