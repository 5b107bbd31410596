#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/client_request.hpp"

// One byte picks the content type, the rest is the create body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kTypes[] = {"application/json",
                                       "multipart/form-data; boundary=B",
                                       "multipart/form-data; boundary=\"x y\"",
                                       "application/json; charset=utf-8"};
  std::string_view type = kTypes[data[0] % 4];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  vgw::ClientVideoRequest request;
  auto error = vgw::parse_create_request(type, body, request);
  if (error) {
    if (error->status < 400 || error->status > 499) __builtin_trap();
    error->to_response();
  }
  return 0;
}
