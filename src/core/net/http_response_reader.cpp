#include "net/http_response_reader.hpp"

#include <algorithm>

#include "net/http_token.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr size_t kMaxHeaders = 100;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

}  // namespace

HttpResponseReader::HttpResponseReader(size_t body_limit, size_t head_limit)
    : body_limit_(body_limit), head_limit_(head_limit) {
  headers_.reserve(16);
}

void HttpResponseReader::fail(State state) {
  state_ = state;
  truncated_ = true;
  body_.clear();
  body_.shrink_to_fit();
}

size_t HttpResponseReader::feed(std::string_view bytes) {
  size_t used = 0;
  while (used < bytes.size() && !done()) {
    std::string_view rest = bytes.substr(used);
    used += state_ == State::head ? feed_head(rest) : feed_body(rest);
  }
  return used;
}

void HttpResponseReader::end_of_input() {
  if (done()) return;
  if (state_ == State::body && framing_ == Framing::close) {
    state_ = State::complete;
    return;
  }
  state_ = State::malformed;
  truncated_ = true;
}

bool HttpResponseReader::reusable() const {
  if (state_ != State::complete || framing_ == Framing::close) return false;
  if (connection_close_) return false;
  return minor_version_ >= 1 || connection_keep_alive_;
}

// The head is gathered whole (it is small) and then parsed in one pass; an
// end of line is LF, optionally preceded by CR.
namespace {

// Where the head that `text` holds ends (after its empty line), searching
// from `from`; npos while it has not ended.
size_t head_end(std::string_view text, size_t from) {
  for (size_t i = text.find('\n', from); i != std::string_view::npos;
       i = text.find('\n', i + 1)) {
    if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2;
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      return i + 3;
    }
  }
  return std::string_view::npos;
}

}  // namespace

// The head is gathered whole (it is small) and then parsed in one pass,
// straight from the input when one read brought all of it; an end of line
// is LF, optionally preceded by CR.
size_t HttpResponseReader::feed_head(std::string_view bytes) {
  size_t used = 0;
  std::string_view head;
  if (head_.empty()) {
    size_t end = head_end(bytes.substr(0, head_limit_), 0);
    if (end != std::string_view::npos) {
      head = bytes.substr(0, end);
      used = end;
    }
  }
  if (used == 0) {
    size_t before = head_.size();
    size_t room = head_limit_ - std::min(head_limit_, before);
    size_t take = std::min(bytes.size(), room);
    head_.append(bytes.data(), take);
    // The empty line may have begun in the bytes already searched.
    size_t end = head_end(head_, scanned_ >= 2 ? scanned_ - 2 : 0);
    if (end == std::string_view::npos) {
      scanned_ = head_.size();
      if (head_.size() >= head_limit_) fail(State::malformed);
      return take;
    }
    used = end - before;
    head = std::string_view(head_).substr(0, end);
  }
  bool parsed = parse_head(head);
  head_.clear();
  scanned_ = 0;
  if (!parsed) {
    fail(State::malformed);
    return used;
  }
  if (status_ == 101) {
    fail(State::malformed);  // the connection would stop speaking HTTP
    return used;
  }
  if (status_ >= 100 && status_ < 200) {
    // An interim response (100 Continue, 103 Early Hints): the real one
    // follows on the same connection.
    status_ = 0;
    headers_.clear();
    connection_close_ = connection_keep_alive_ = false;
    return used;
  }
  if (!choose_framing()) fail(State::malformed);
  return used;
}

bool HttpResponseReader::parse_head(std::string_view head) {
  bool first = true;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (first) {
      if (!parse_status_line(line)) return false;
      first = false;
    } else if (!add_header(line)) {
      return false;
    }
  }
  return !first;
}

bool HttpResponseReader::parse_status_line(std::string_view line) {
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." ||
      (line[7] != '0' && line[7] != '1') || line[8] != ' ') {
    return false;
  }
  minor_version_ = line[7] - '0';
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) return false;
  if (has_control_chars(line)) return false;
  status_ = status;
  return true;
}

bool HttpResponseReader::add_header(std::string_view line) {
  // Folded continuation lines (obsolete) are refused, as nginx does.
  if (line.front() == ' ' || line.front() == '\t') return false;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = line.substr(0, colon);
  if (!is_http_token(name)) return false;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  // The line holds no LF (lines are split at it); CR and NUL remain to
  // check.
  if (value.find('\r') != std::string_view::npos ||
      value.find('\0') != std::string_view::npos ||
      headers_.size() >= kMaxHeaders) {
    return false;
  }
  if (name.size() == 10 && iequals(name, "Connection")) {
    connection_close_ = connection_close_ || list_has_token(value, "close");
    connection_keep_alive_ =
        connection_keep_alive_ || list_has_token(value, "keep-alive");
  }
  headers_.emplace_back();
  headers_.back().name.assign(name.data(), name.size());
  headers_.back().value.assign(value.data(), value.size());
  return true;
}

bool list_has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool HttpResponseReader::choose_framing() {
  state_ = State::body;
  if (status_ == 204 || status_ == 304) {
    framing_ = Framing::none;
    state_ = State::complete;
    return true;
  }
  const std::string* length = nullptr;
  bool chunked = false;
  bool other_coding = false;
  for (const auto& h : headers_) {
    if (iequals(h.name, "Transfer-Encoding")) {
      // Only a final "chunked" frames the body; any other coding runs to
      // the end of the connection.
      std::string_view codings = h.value;
      size_t comma = codings.rfind(',');
      std::string_view last =
          comma == std::string_view::npos ? codings : codings.substr(comma + 1);
      chunked = iequals(trim(last), "chunked");
      other_coding = other_coding || !chunked;
    } else if (iequals(h.name, "Content-Length")) {
      if (length != nullptr && *length != h.value) return false;
      length = &h.value;
    }
  }
  if (chunked && !other_coding) {
    // Content-Length is ignored next to Transfer-Encoding (RFC 9112 6.3),
    // but such a reply cannot be trusted to end where it says: no reuse.
    framing_ = Framing::chunked;
    if (length != nullptr) connection_close_ = true;
    return true;
  }
  if (other_coding) {
    framing_ = Framing::close;
    return true;
  }
  if (length != nullptr) {
    if (length->size() > 18) return false;
    auto n = parse_uint(*length);
    if (!n) return false;
    if (*n > body_limit_) {
      fail(State::too_large);
      return true;
    }
    framing_ = Framing::length;
    remaining_ = *n;
    body_.reserve(static_cast<size_t>(*n));
    if (remaining_ == 0) state_ = State::complete;
    return true;
  }
  framing_ = Framing::close;
  return true;
}

bool HttpResponseReader::append_body(std::string_view bytes) {
  if (body_.size() + bytes.size() > body_limit_) {
    fail(State::too_large);
    return false;
  }
  body_.append(bytes.data(), bytes.size());
  return true;
}

size_t HttpResponseReader::feed_body(std::string_view bytes) {
  switch (framing_) {
    case Framing::length: {
      size_t take =
          static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
      if (!append_body(bytes.substr(0, take))) return take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::complete;
      return take;
    }
    case Framing::close:
      append_body(bytes);
      return bytes.size();
    case Framing::chunked:
      return feed_chunked(bytes);
    case Framing::none:
      break;
  }
  state_ = State::complete;
  return 0;
}

// chunk = size [; extensions] CRLF data CRLF; the last chunk has size 0 and
// is followed by optional trailer lines and an empty line. Trailers are
// read and dropped.
size_t HttpResponseReader::feed_chunked(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && state_ == State::body) {
    char c = bytes[i];
    switch (chunk_step_) {
      case ChunkStep::size: {
        int digit = hex_value(c);
        if (digit >= 0) {
          if (++chunk_digits_ > 15) {
            fail(State::malformed);
            return i;
          }
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++i;
          break;
        }
        if (chunk_digits_ == 0) {
          fail(State::malformed);
          return i;
        }
        chunk_step_ = ChunkStep::extension;
        break;
      }
      case ChunkStep::extension:
        ++i;
        if (c == '\n') {
          chunk_digits_ = 0;
          if (remaining_ == 0) {
            chunk_step_ = ChunkStep::trailer;
          } else if (body_.size() + remaining_ > body_limit_) {
            fail(State::too_large);
            return i;
          } else {
            chunk_step_ = ChunkStep::data;
          }
        } else if (static_cast<unsigned char>(c) < 0x20 && c != '\r' &&
                   c != '\t') {
          fail(State::malformed);
          return i;
        }
        break;
      case ChunkStep::data: {
        size_t take = static_cast<size_t>(
            std::min<uint64_t>(remaining_, bytes.size() - i));
        if (!append_body(bytes.substr(i, take))) return i + take;
        remaining_ -= take;
        i += take;
        if (remaining_ == 0) chunk_step_ = ChunkStep::data_end;
        break;
      }
      case ChunkStep::data_end:
        ++i;
        if (c == '\n') {
          chunk_step_ = ChunkStep::size;
        } else if (c != '\r') {
          fail(State::malformed);
          return i;
        }
        break;
      case ChunkStep::trailer:
        ++i;
        if (c == '\n') {
          if (trailer_line_.empty() || trailer_line_ == "\r") {
            state_ = State::complete;
          }
          trailer_line_.clear();
        } else if (trailer_line_.size() >= head_limit_) {
          fail(State::malformed);
          return i;
        } else {
          trailer_line_.push_back(c);
        }
        break;
    }
  }
  return i;
}

}  // namespace vgw
