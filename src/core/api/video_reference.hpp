#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vgw {

// The video an edit, extension or character request names by id:
// `{"video": {"id": ...}}` in JSON, the `video[id]` field in multipart (as
// the SDKs send it). nullopt when the request names none (an uploaded
// file, or nothing).
std::optional<std::string> referenced_video_id(std::string_view content_type,
                                               std::string_view body);

}  // namespace vgw
