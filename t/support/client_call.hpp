#pragma once

#include <string_view>

#include "gateway.hpp"

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

}  // namespace vgw::testing
