#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http_types.hpp"
#include "util/strings.hpp"

namespace vgw {

// Who may be contacted at a URL a client chose (an image to download for a
// bytes-only vendor, a webhook target). Without `allow`, any public host;
// `allow` lists host globs that may be reached even when internal and, when
// `exclusive`, the only hosts that may be reached at all.
struct ClientTargetPolicy {
  std::vector<std::string> allow;
  bool exclusive = false;
};

// Checks a client's URL before anything is sent: its host spelling (see
// read_host), internal address literals and local names. nullopt when the
// URL may be used, else why not (safe to show the client).
std::optional<std::string> refuse_client_target(
    const UrlParts& url, const ClientTargetPolicy& policy);

// The name to resolve before the URL can be contacted; nullopt for address
// literals, which need no lookup.
std::optional<std::string> name_to_resolve(const UrlParts& url);

// Points `call` (whose url is `url`) at one of the addresses the name
// resolved to, after checking every one of them: the connection goes to the
// checked address, so a second lookup cannot rebind the name to an internal
// one. Host and TLS name stay the URL's. nullopt on success, else why not.
std::optional<std::string> pin_client_target(
    UpstreamCall& call, const UrlParts& url,
    const std::vector<std::string>& addresses,
    const ClientTargetPolicy& policy);

}  // namespace vgw
