#pragma once

#include "api/video_object.hpp"
#include "ids/video_id.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// Reads a vendor status reply into the OpenAI view of the video. Unknown
// vendor statuses read as in_progress: leaking them stops SDK pollers.
VideoView read_video_state(const Vendor& vendor, const JsonDocument& reply,
                           const VideoRecord& record, int64_t now);

// Parses timestamps the way vendors send them.
std::optional<int64_t> read_time(const TimeRule& rule,
                                 const JsonDocument& reply);

}  // namespace vgw
