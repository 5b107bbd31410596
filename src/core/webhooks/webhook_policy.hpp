#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/client_target.hpp"

namespace vgw {

// Where the gateway may send webhook events. By default any public https or
// http host, never a loopback, private, link-local or otherwise internal
// address or a local name; host names are resolved by nginx when an event
// is sent and every address they resolve to is checked (see
// net/client_target.hpp). `allow` (host globs) narrows that to the listed
// hosts, and is the only way to reach an internal address.
struct WebhookPolicy {
  std::string secret;  // "whsec_<base64>": standard-webhooks signing key
  std::vector<std::string> allow;
  bool enabled() const { return !secret.empty(); }

  ClientTargetPolicy targets() const { return {allow, true}; }

  // nullopt when `url` may receive events, else why not.
  std::optional<std::string> refuse(const std::string& url) const;
};

}  // namespace vgw
