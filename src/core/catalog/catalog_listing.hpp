#pragma once

#include <memory>
#include <string>

#include "translate/operation.hpp"

namespace vgw {

// A create that made a video enters it in its owner's catalogue: numbered
// in the owner's list, with the create's Video and prompt. An unreachable
// store costs the listing and the prompt, never the video.
std::unique_ptr<Operation> with_catalog_listing(
    std::unique_ptr<Operation> create, std::string owner, std::string prompt,
    std::string remixed_from = {});

}  // namespace vgw
