#pragma once

#include <cstdint>
#include <string>

#include "http_types.hpp"

namespace vgw {

// An OpenAI video webhook event ({"id": "evt_…", "object": "event",
// "created_at", "type": "video.completed" | "video.failed", "data": {"id"}})
// as a POST to `url`, signed the standard-webhooks way the OpenAI SDKs
// verify (`client.webhooks.unwrap`): webhook-id, webhook-timestamp and
// webhook-signature "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>",
// where the key is the base64 after "whsec_" in `secret`.
UpstreamCall webhook_delivery(const std::string& url, const std::string& secret,
                              const std::string& type,
                              const std::string& video_id, int64_t now);

// False when `secret` is not "whsec_" + base64 of at least 16 bytes.
bool valid_webhook_secret(const std::string& secret);

}  // namespace vgw
