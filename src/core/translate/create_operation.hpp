#pragma once

#include <memory>

#include "api/client_request.hpp"
#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// POST /v1/videos: one vendor create call, then a sealed id.
std::unique_ptr<Operation> make_create_operation(Vendor& vendor,
                                                 const ModelRule& model,
                                                 ClientVideoRequest request,
                                                 const VideoIdSealer& sealer,
                                                 std::string binding);

}  // namespace vgw
