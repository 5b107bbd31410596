#pragma once

#include <memory>
#include <string>

#include "ids/video_id.hpp"
#include "translate/create_operation.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// An extension starts with a fresh status query of its source (a video of
// the same account): only a completed one is extended, and what the
// vendor's extend.source names is read from the reply into `fields` (the
// ExtensionSource the create's request reads as ${source.NAME}). Then the
// extension's create runs.
std::unique_ptr<Operation> with_extension_source(
    std::unique_ptr<Operation> create, Vendor& vendor, VideoRecord source,
    std::string source_id, std::shared_ptr<Json> fields);

}  // namespace vgw
