#pragma once

#include <memory>
#include <string_view>

#include "ids/video_id.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"
#include "webhooks/callback_token.hpp"
#include "webhooks/webhook_policy.hpp"

namespace vgw {

// A vendor calling the gateway back (POST {api}/vgw/callbacks/{token}).
// The payload is only trusted for the task id: the gateway asks the vendor
// for the task's state itself, and when it has ended sends the client a
// signed video.completed / video.failed event. The vendor is answered 200
// once the client took the event (or there is nothing to send yet), and
// 502 when the client's endpoint failed twice, so vendors that retry
// callbacks try again later.
std::unique_ptr<Operation> make_callback_operation(
    Vendor& vendor, OpenedCallback callback, const VideoIdSealer& sealer,
    const WebhookPolicy& webhooks);

}  // namespace vgw
