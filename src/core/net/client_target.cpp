#include "net/client_target.hpp"

#include <algorithm>

#include "net/host_address.hpp"

namespace vgw {
namespace {

bool listed(const ClientTargetPolicy& policy, const std::string& host) {
  return std::any_of(
      policy.allow.begin(), policy.allow.end(),
      [&](const std::string& glob) { return glob_match(glob, host); });
}

const char* kInternal =
    "it points at a loopback, private, link-local or otherwise internal "
    "address";

}  // namespace

std::optional<std::string> refuse_client_target(
    const UrlParts& url, const ClientTargetPolicy& policy) {
  HostSpelling host = read_host(url.host);
  if (host.kind == HostSpelling::Kind::invalid) {
    return "its host is not a DNS name or a canonical IP address";
  }
  if (listed(policy, url.host)) return std::nullopt;
  if (policy.exclusive && !policy.allow.empty()) {
    return "its host is not in this gateway's allow list";
  }
  bool internal = host.kind == HostSpelling::Kind::address
                      ? is_internal_address(host.address)
                      : is_internal_name(host.name);
  if (internal) return kInternal;
  return std::nullopt;
}

std::optional<std::string> name_to_resolve(const UrlParts& url) {
  HostSpelling host = read_host(url.host);
  if (host.kind != HostSpelling::Kind::name) return std::nullopt;
  return host.name;
}

std::optional<std::string> pin_client_target(
    UpstreamCall& call, const UrlParts& url,
    const std::vector<std::string>& addresses,
    const ClientTargetPolicy& policy) {
  std::vector<IpAddress> parsed;
  for (const auto& text : addresses) {
    if (auto a = parse_ip(text)) parsed.push_back(*a);
  }
  if (parsed.empty()) return "its host name could not be resolved";
  if (!listed(policy, url.host) &&
      std::any_of(parsed.begin(), parsed.end(), is_internal_address)) {
    return "its host name resolves to an internal address";
  }
  const IpAddress& chosen = parsed.front();
  std::string literal =
      chosen.v6 ? "[" + chosen.to_string() + "]" : chosen.to_string();
  call.url = url.scheme + "://" + literal + ":" + std::to_string(url.port) +
             url.path + (url.query.empty() ? "" : "?" + url.query);
  call.host = url.authority;
  call.server_name = url.host;
  return std::nullopt;
}

}  // namespace vgw
