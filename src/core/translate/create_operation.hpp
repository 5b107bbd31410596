#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/client_request.hpp"
#include "ids/video_id.hpp"
#include "net/client_target.hpp"
#include "util/byte_buffer.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"
#include "webhooks/webhook_policy.hpp"

namespace vgw {

// A remix's source: a finished video of the same account.
struct RemixSource {
  std::string video_id;
  std::string task_id;
  std::string kind;
};

// What an extension or an edit is made from: a completed video of the
// same account, and what its status reply said (the vendor's
// extend/edit.source names), filled in by with_source_video() before the
// create starts.
enum class SourceVideoUse { extension, edit };
struct SourceVideo {
  SourceVideoUse use = SourceVideoUse::extension;
  std::string video_id;
  std::string task_id;
  std::string kind;     // how the new task is queried
  std::string seconds;  // the source's length
  std::shared_ptr<Json> fields = std::make_shared<Json>(Json::object());
  // An uploaded file (the request's only image, ${video} to the rules)
  // instead of a video made through the gateway: the rule's `upload`.
  bool uploaded = false;
};

// POST /v1/videos: one vendor create call, then a sealed id.
// What a create needs from the gateway beyond the vendor.
struct CreateContext {
  const VideoIdSealer& sealer;
  const WebhookPolicy& webhooks;
  std::string binding;   // caller identity the id is bound to
  std::string tenant;    // the caller's tenant; empty without tenants
  std::string api_base;  // absolute API root, for the vendor's callback URL
  // Where client image URLs may be downloaded from (vgw_image_fetch_allow)
  // and how long a download may take.
  const ClientTargetPolicy& image_fetch;
  int image_fetch_timeout = 10;
  // The buffer holding the client's body, whose pages may be given back
  // once an image in it has been encoded for the vendor (nullptr: never).
  ByteBuffer* client_body = nullptr;
  // A remix (POST /v1/videos/{id}/remix): the vendor's remix request
  // instead of its create, and the new video names its source.
  std::optional<RemixSource> remix;
  // An extension or an edit: the vendor's extend or edit request; an
  // extension lasts its source's seconds plus its own.
  std::optional<SourceVideo> source;
};

std::unique_ptr<Operation> make_create_operation(Vendor& vendor,
                                                 const ModelRule& model,
                                                 ClientVideoRequest request,
                                                 CreateContext context);

}  // namespace vgw
