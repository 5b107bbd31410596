#pragma once

#include <map>
#include <string>
#include <string_view>

#include "gateway.hpp"
#include "rules/vendor_rules.hpp"

namespace vgw::testing {

// A client request as the nginx layer would hand it to the core, for unit
// tests, fuzzers and microbenchmarks.
inline ClientCall client_call(std::string_view method, std::string_view path,
                              std::string_view body = "",
                              std::string_view binding = "Bearer client-a",
                              std::string_view args = "") {
  ClientCall call;
  call.method = method;
  call.path = path;
  call.args = args;
  call.content_type = "application/json";
  call.body = body;
  call.binding = binding;
  call.public_url = "https://gw.test";
  return call;
}

// A vendor's JSON reply to a call the gateway sent; `body` must outlive it.
inline UpstreamReply json_reply(int status, std::string_view body) {
  UpstreamReply r;
  r.status = status;
  r.request_sent = true;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"}};
  return r;
}

// Adds a shipped vendor file (conf-examples/vendors/<name>.yaml) served at
// `base_url` with the given credentials.
inline void add_vendor(Gateway& gw, const std::string& name,
                       std::string base_url,
                       std::map<std::string, std::string> credentials) {
  VendorSettings settings;
  settings.base_url = std::move(base_url);
  settings.credentials = std::move(credentials);
  gw.add_vendor(load_vendor_rules(VGW_VENDOR_DIR "/" + name + ".yaml"),
                settings);
}

}  // namespace vgw::testing
