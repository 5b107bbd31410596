#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/resp_codec.hpp"

// Redis's replies as bytes off the wire: the reader always ends, uses no
// more than it is given, reads the same replies whether the bytes come at
// once or in pieces (the first input byte picks the size and how many
// replies are expected), and every store command reads them without
// crashing.
namespace {

bool same(const vgw::RespValue& a, const vgw::RespValue& b) {
  if (a.type != b.type || a.text != b.text || a.integer != b.integer ||
      a.elements.size() != b.elements.size()) {
    return false;
  }
  for (size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

struct Outcome {
  vgw::RespReplyReader reader;
  size_t consumed = 0;
};

void read(Outcome& out, std::string_view wire, size_t step) {
  size_t at = 0;
  while (at < wire.size() && !out.reader.done()) {
    std::string_view piece = wire.substr(at, step);
    size_t used = out.reader.feed(piece);
    if (used > piece.size()) __builtin_trap();
    if (used < piece.size() && !out.reader.done()) __builtin_trap();
    at += used;
  }
  out.consumed = at;
  out.reader.end_of_input();
  if (!out.reader.done()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = 1 + data[0] % 13;
  size_t expected = 1 + data[0] / 64;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t limit = 256;
  Outcome whole{vgw::RespReplyReader(expected, limit)};
  Outcome pieces{vgw::RespReplyReader(expected, limit)};
  read(whole, wire, wire.size() + 1);
  read(pieces, wire, step);
  const auto& a = whole.reader.replies();
  const auto& b = pieces.reader.replies();
  if (whole.reader.failed() != pieces.reader.failed() || a.size() != b.size() ||
      whole.reader.reusable() != pieces.reader.reusable()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i]) || a[i].text.size() > limit + 64 * 1024) {
      __builtin_trap();
    }
  }
  if (!whole.reader.failed() && whole.consumed != pieces.consumed) {
    __builtin_trap();
  }
  using Op = vgw::StoreCommand::Op;
  for (Op op : {Op::get, Op::set, Op::del, Op::incr}) {
    for (int64_t ttl : {0, 60}) {
      vgw::StoreCommand c{op, "k", op == Op::incr ? "1" : "v", ttl, ttl > 0};
      for (size_t skip = 0; skip < 3; ++skip) {
        vgw::StoreReply r = vgw::store_reply_from(c, whole.reader, skip);
        if (r.done && !r.ok) __builtin_trap();
      }
    }
  }
  return 0;
}
