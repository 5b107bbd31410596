#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vgw {

// What the gateway can tell from an uploaded video's bytes, without
// decoding it.

// "video/mp4", "video/quicktime", "video/webm", "video/x-msvideo" from the
// first bytes of a file, or empty.
std::string sniff_video_type(std::string_view bytes);

// The length an MP4 or MOV file declares (its moov/mvhd box), in seconds;
// nullopt when the box is missing, truncated or says "unknown".
std::optional<double> mp4_duration_seconds(std::string_view bytes);

}  // namespace vgw
