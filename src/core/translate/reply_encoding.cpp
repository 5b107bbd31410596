#include "translate/reply_encoding.hpp"

#include <zlib.h>

#include <algorithm>
#include <vector>

#include "util/strings.hpp"

namespace vgw {
namespace {

enum class Coding { gzip, deflate };

// Inflates `in` into `out`. `window` is zlib's windowBits: 16+15 gzip,
// 15 zlib-wrapped deflate, -15 raw deflate. Concatenated gzip members are
// one body (RFC 1952 allows it).
ReplyDecoding inflate_into(std::string_view in, int window, std::string& out,
                           size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, window) != Z_OK) return ReplyDecoding::corrupt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  char chunk[16384];
  ReplyDecoding outcome = ReplyDecoding::decoded;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > max_bytes) {
      outcome = ReplyDecoding::too_large;
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 || window != 16 + 15) break;
      if (inflateReset(&z) != Z_OK) {
        outcome = ReplyDecoding::corrupt;
        break;
      }
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && produced > 0) continue;
    // Z_BUF_ERROR without progress: the input ended mid-stream.
    outcome = ReplyDecoding::corrupt;
    break;
  }
  inflateEnd(&z);
  return outcome;
}

ReplyDecoding decode_one(Coding coding, std::string_view in, std::string& out,
                         size_t max_bytes) {
  if (coding == Coding::gzip) return inflate_into(in, 16 + 15, out, max_bytes);
  // "deflate" means zlib-wrapped (RFC 9110), but many servers send raw
  // deflate: a zlib header is recognisable by its checksum.
  bool wrapped = in.size() >= 2 &&
                 (static_cast<unsigned char>(in[0]) & 0x0F) == 8 &&
                 ((static_cast<unsigned char>(in[0]) << 8) |
                  static_cast<unsigned char>(in[1])) %
                         31 ==
                     0;
  return inflate_into(in, wrapped ? 15 : -15, out, max_bytes);
}

}  // namespace

ReplyDecoding decode_reply_body(UpstreamReply& reply, std::string& storage,
                                size_t max_bytes) {
  auto it = std::find_if(
      reply.headers.begin(), reply.headers.end(),
      [](const Header& h) { return iequals(h.name, "content-encoding"); });
  if (it == reply.headers.end()) return ReplyDecoding::unchanged;
  std::vector<Coding> codings;
  for (auto part : split(it->value, ',')) {
    std::string name = to_lower(trim(part));
    if (name.empty() || name == "identity") continue;
    if (name == "gzip" || name == "x-gzip") {
      codings.push_back(Coding::gzip);
    } else if (name == "deflate") {
      codings.push_back(Coding::deflate);
    } else {
      return ReplyDecoding::unsupported;
    }
  }
  reply.headers.erase(it);
  if (codings.empty()) return ReplyDecoding::unchanged;
  // Codings are listed in the order they were applied: undo the last first.
  std::string current(reply.body);
  for (auto c = codings.rbegin(); c != codings.rend(); ++c) {
    std::string next;
    ReplyDecoding step = decode_one(*c, current, next, max_bytes);
    if (step != ReplyDecoding::decoded) return step;
    current = std::move(next);
  }
  storage = std::move(current);
  reply.body = storage;
  return ReplyDecoding::decoded;
}

void decode_reply_in_place(UpstreamReply& reply, std::string& storage,
                           size_t max_bytes) {
  switch (decode_reply_body(reply, storage, max_bytes)) {
    case ReplyDecoding::unsupported:
    case ReplyDecoding::corrupt:
      reply.unreadable = true;
      break;
    case ReplyDecoding::too_large:
      reply.too_large = true;
      break;
    case ReplyDecoding::unchanged:
    case ReplyDecoding::decoded:
      break;
  }
}

}  // namespace vgw
