#include "webhooks/webhook_policy.hpp"

#include "util/strings.hpp"

namespace vgw {

std::optional<std::string> WebhookPolicy::refuse(const std::string& url) const {
  if (!enabled()) {
    return "webhooks are not enabled on this gateway (vgw_webhook_secret)";
  }
  auto parsed = parse_url(url);
  if (!parsed || has_control_chars(url) || url.size() > 2048) {
    return "callback_url must be an absolute http(s) URL";
  }
  if (auto why = refuse_client_target(*parsed, targets())) {
    return "callback_url cannot be used: " + *why;
  }
  return std::nullopt;
}

}  // namespace vgw
