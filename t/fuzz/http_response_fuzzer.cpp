#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_response_reader.hpp"

// A vendor's reply as bytes off the wire: the reader always ends, holds no
// more body than its limit, never consumes more than it is given, and reads
// the same response whether the bytes come at once or in pieces of any size
// (the first input byte picks the size).
namespace {

struct Outcome {
  vgw::HttpResponseReader::State state;
  int status;
  std::string body;
  size_t consumed;
  bool reusable;
};

Outcome read(std::string_view wire, size_t step, size_t limit) {
  vgw::HttpResponseReader reader(limit, 4096);
  size_t at = 0;
  while (at < wire.size() && !reader.done()) {
    std::string_view piece = wire.substr(at, step);
    size_t used = reader.feed(piece);
    if (used > piece.size()) __builtin_trap();
    at += used;
    if (used < piece.size() && !reader.done()) __builtin_trap();
  }
  reader.end_of_input();
  if (!reader.done() || reader.body().size() > limit) __builtin_trap();
  if (reader.reusable() && reader.truncated()) __builtin_trap();
  return {reader.state(), reader.status(), reader.body(), at,
          reader.reusable()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t step = 1 + data[0] % 17;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t limit = 512;
  Outcome whole = read(wire, wire.size() + 1, limit);
  Outcome pieces = read(wire, step, limit);
  if (whole.state != pieces.state || whole.status != pieces.status ||
      whole.body != pieces.body || whole.reusable != pieces.reusable) {
    __builtin_trap();
  }
  // Bytes after a response are left for the caller only once it is done.
  if (whole.state == vgw::HttpResponseReader::State::complete &&
      whole.consumed != pieces.consumed) {
    __builtin_trap();
  }
  return 0;
}
