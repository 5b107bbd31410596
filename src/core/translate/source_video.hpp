#pragma once

#include <memory>
#include <string>

#include "ids/video_id.hpp"
#include "translate/create_operation.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// An extension or an edit starts with a fresh status query of its source
// (a video of the same account): only a completed one is used, and what
// the vendor's extend/edit.source names is read from the reply into the
// SourceVideo's fields (which the create's request reads as
// ${source.NAME}). Then the create runs.
std::unique_ptr<Operation> with_source_video(std::unique_ptr<Operation> create,
                                             Vendor& vendor, VideoRecord source,
                                             const SourceVideo& use);

}  // namespace vgw
