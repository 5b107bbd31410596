#include <cstddef>
#include <cstdint>
#include <string>

#include "translate/reply_encoding.hpp"

// Compressed vendor replies (and bodies that only claim to be): decoding
// ends, never writes past its bound, and either decodes or says why not.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* kCodings[] = {
      "gzip",          "deflate", "x-gzip",   "gzip, gzip",
      "deflate, gzip", "br",      "identity", ""};
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  vgw::UpstreamReply reply;
  reply.status = 200;
  reply.body = body;
  reply.headers = {{"Content-Encoding", kCodings[data[0] % 8]}};
  std::string storage;
  const size_t limit = 1 << 20;
  auto outcome = vgw::decode_reply_body(reply, storage, limit);
  if (outcome == vgw::ReplyDecoding::decoded &&
      (reply.body.size() > limit || reply.body.data() != storage.data())) {
    __builtin_trap();
  }
  return 0;
}
