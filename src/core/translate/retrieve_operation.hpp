#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/status_cache.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// What the client said at create that the vendor does not keep, when the
// store still has it: filled in before the status query runs, rendered
// into the Video over anything the vendor echoes.
struct VideoNotes {
  std::optional<std::string> prompt;
  std::optional<std::string> remixed_from;
};

// GET /v1/videos/{id}: one vendor status query, normalised. `notes` may be
// null.
std::unique_ptr<Operation> make_retrieve_operation(
    Vendor& vendor, VideoRecord record, std::string video_id,
    std::string content_url, StatusCache* cache,
    std::shared_ptr<const VideoNotes> notes);

// GET /v1/videos/{id}/content: a fresh status query for the result URL, then
// the download is handed to nginx's streaming proxy.
std::unique_ptr<Operation> make_content_operation(Vendor& vendor,
                                                  VideoRecord record,
                                                  std::string video_id,
                                                  std::string variant);

}  // namespace vgw
