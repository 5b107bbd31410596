#pragma once

#include <memory>

#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/status_cache.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// GET /v1/videos/{id}: one vendor status query, normalised.
std::unique_ptr<Operation> make_retrieve_operation(Vendor& vendor,
                                                   VideoRecord record,
                                                   std::string video_id,
                                                   std::string content_url,
                                                   StatusCache* cache);

// GET /v1/videos/{id}/content: a fresh status query for the result URL, then
// the download is handed to nginx's streaming proxy.
std::unique_ptr<Operation> make_content_operation(Vendor& vendor,
                                                  VideoRecord record,
                                                  std::string video_id,
                                                  std::string variant);

}  // namespace vgw
