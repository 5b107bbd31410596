#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "http_types.hpp"

namespace vgw {

// Reads one HTTP/1.x response as its bytes arrive on a vendor connection:
// status line, headers, and a body framed by Content-Length, chunked
// transfer coding or the end of the connection. Interim (1xx) responses are
// skipped. The body is held up to `body_limit` bytes; a larger one stops
// the reader (too_large) so the caller can drop the connection.
class HttpResponseReader {
 public:
  enum class State { head, body, complete, malformed, too_large };

  explicit HttpResponseReader(size_t body_limit, size_t head_limit = 64 * 1024);

  // Consumes bytes and returns how many belong to this response; bytes
  // after a complete response are not consumed (nothing may follow it on a
  // connection the gateway reuses).
  size_t feed(std::string_view bytes);
  // The vendor closed the connection: a body delimited by the close is
  // complete; any other unfinished response is cut off.
  void end_of_input();

  State state() const { return state_; }
  bool done() const { return state_ != State::head && state_ != State::body; }
  bool got_head() const { return status_ != 0; }
  // The input ended, or the reader gave up, before the response was whole.
  bool truncated() const { return truncated_; }
  int status() const { return status_; }
  const Headers& headers() const { return headers_; }
  Headers take_headers() { return std::move(headers_); }
  std::string& body() { return body_; }
  // The connection may carry another request once this response is read:
  // HTTP/1.1 without "Connection: close" (1.0 with keep-alive), and a body
  // whose end the framing told.
  bool reusable() const;

 private:
  enum class Framing { none, length, chunked, close };
  enum class ChunkStep { size, extension, data, data_end, trailer };

  size_t feed_head(std::string_view bytes);
  bool parse_head(std::string_view head);
  bool parse_status_line(std::string_view line);
  bool add_header(std::string_view line);
  bool choose_framing();
  size_t feed_body(std::string_view bytes);
  size_t feed_chunked(std::string_view bytes);
  bool append_body(std::string_view bytes);
  void fail(State state);

  size_t body_limit_;
  size_t head_limit_;
  State state_ = State::head;
  std::string head_;
  size_t scanned_ = 0;  // head_ bytes already searched for its end
  int status_ = 0;
  int minor_version_ = 1;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool truncated_ = false;
  Headers headers_;
  std::string body_;
  Framing framing_ = Framing::none;
  uint64_t remaining_ = 0;  // of the Content-Length, or of the chunk
  ChunkStep chunk_step_ = ChunkStep::size;
  int chunk_digits_ = 0;
  std::string trailer_line_;
};

}  // namespace vgw
