#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ids/video_id.hpp"

namespace vgw {

// Where a video's completion event goes, and for whom its id is sealed.
struct CallbackTarget {
  std::string url;             // the client's callback_url
  std::string binding_digest;  // VideoIdSealer::binding_digest of the client
  // The client's tenant (empty without tenants), for the usage record and
  // task slots a callback that sees the task end settles. Tokens sealed
  // before it was carried open with none.
  std::string tenant;
};

// The last path segment of the callback URL handed to a vendor: the video's
// record (everything but the vendor task id, which the vendor's callback
// supplies) and the target, sealed under the id key so nobody can forge or
// read it. Stateless like the ids: any instance can take the callback.
std::string seal_callback_token(const VideoIdSealer& sealer, VideoRecord record,
                                const CallbackTarget& target);

struct OpenedCallback {
  VideoRecord record;  // task_id empty until the vendor's callback says it
  CallbackTarget target;
};
std::optional<OpenedCallback> open_callback_token(const VideoIdSealer& sealer,
                                                  std::string_view token);

}  // namespace vgw
