#include "translate/upload_limits.hpp"

#include <string>

namespace vgw {

std::optional<ApiError> refuse_upload(const VideoLimits& limits,
                                      const ImageInput& video,
                                      const Vendor& vendor, const char* does) {
  if (!limits.types.empty()) {
    bool taken = false;
    std::string names;
    for (const auto& type : limits.types) {
      taken = taken || type == video.mime;
      names += (names.empty() ? "" : ", ") + type;
    }
    if (!taken) {
      return invalid_request("Vendor '" + vendor.vendor_name() + "' " + does +
                                 " " + names + " videos, not " + video.mime +
                                 ".",
                             std::string("video"), "unsupported_video_type");
    }
  }
  if (limits.max_bytes != 0 && video.data.size() > limits.max_bytes) {
    return invalid_request("The video is " + std::to_string(video.data.size()) +
                               " bytes; vendor '" + vendor.vendor_name() +
                               "' " + does + " videos of at most " +
                               std::to_string(limits.max_bytes) + " bytes.",
                           std::string("video"), "video_too_large");
  }
  return std::nullopt;
}

}  // namespace vgw
