#include "webhooks/webhook_policy.hpp"

#include "util/internal_host.hpp"
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
  if (!allow.empty()) {
    for (const auto& pattern : allow) {
      if (glob_match(pattern, parsed->host)) return std::nullopt;
    }
    return "callback_url's host is not in this gateway's webhook allow list";
  }
  if (is_internal_host(parsed->host)) {
    return "callback_url may not point at a loopback, private or internal "
           "address";
  }
  return std::nullopt;
}

}  // namespace vgw
