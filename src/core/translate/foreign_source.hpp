#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/client_request.hpp"
#include "rules/vendor_rules.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// An extension or an edit at one vendor of a video another vendor made:
// `read` finds the source's file the way a download does (its own vendor's
// status query and video variant) and `make` then builds the operation
// that sends it to the target, as the URL the source's vendor serves it at
// or as its bytes (returned inline, or downloaded by the gateway through
// the call location for a target that takes bytes only), whichever the
// target's `upload` request takes. A file only the source vendor's
// credentials can fetch is never handed on.
using MakeFromVideo = std::function<std::unique_ptr<Operation>(ImageInput)>;

struct ForeignSource {
  std::string video_id;
  const Vendor* target = nullptr;
  bool extension = true;
  // What the target's request takes (its filters), and its limits for
  // bytes (nullptr: none of its own).
  bool takes_url = false;
  bool takes_bytes = false;
  const VideoLimits* limits = nullptr;
};

std::unique_ptr<Operation> with_foreign_source(std::unique_ptr<Operation> read,
                                               MakeFromVideo make,
                                               ForeignSource source);

}  // namespace vgw
