#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vgw {

// Where the gateway may send webhook events. By default any public https or
// http host, never a loopback, private, link-local or otherwise internal
// address literal or a local name. `allow` (host globs) narrows that to the
// listed hosts, and is the only way to reach an internal address.
// Hostnames are not resolved here (that would block): a name that resolves
// to an internal address is only stopped by an allow list, which is why
// production configs should set one.
struct WebhookPolicy {
  std::string secret;  // "whsec_<base64>": standard-webhooks signing key
  std::vector<std::string> allow;
  bool enabled() const { return !secret.empty(); }

  // nullopt when `url` may receive events, else why not.
  std::optional<std::string> refuse(const std::string& url) const;
};

}  // namespace vgw
