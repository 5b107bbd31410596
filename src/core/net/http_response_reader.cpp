#include "net/http_response_reader.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr size_t kMaxHeaders = 100;

bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

// Does the comma-separated header value list `value` hold `token`?
bool has_token(std::string_view value, std::string_view token) {
  for (auto part : split(value, ',')) {
    if (iequals(trim(part), token)) return true;
  }
  return false;
}

}  // namespace

HttpResponseReader::HttpResponseReader(size_t body_limit, size_t head_limit)
    : body_limit_(body_limit), head_limit_(head_limit) {}

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
size_t HttpResponseReader::feed_head(std::string_view bytes) {
  size_t before = head_.size();
  size_t room = head_limit_ - std::min(head_limit_, before);
  size_t take = std::min(bytes.size(), room);
  head_.append(bytes.data(), take);
  // The empty line may have begun in the bytes already searched.
  size_t from = scanned_ >= 2 ? scanned_ - 2 : 0;
  size_t end = std::string::npos;
  for (size_t i = head_.find('\n', from); i != std::string::npos;
       i = head_.find('\n', i + 1)) {
    // An empty line: "\n\n" or "\n\r\n".
    if (i + 1 < head_.size() && head_[i + 1] == '\n') {
      end = i + 2;
      break;
    }
    if (i + 2 < head_.size() && head_[i + 1] == '\r' && head_[i + 2] == '\n') {
      end = i + 3;
      break;
    }
  }
  if (end == std::string::npos) {
    scanned_ = head_.size();
    if (head_.size() >= head_limit_) fail(State::malformed);
    return take;
  }
  size_t used = end - before;
  std::string head = head_.substr(0, end);
  head_.clear();
  scanned_ = 0;
  if (!parse_head(head)) {
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
  for (unsigned char c : name) {
    if (!is_token_char(c)) return false;
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  if (has_control_chars(value) || headers_.size() >= kMaxHeaders) return false;
  if (iequals(name, "Connection")) {
    connection_close_ = connection_close_ || has_token(value, "close");
    connection_keep_alive_ =
        connection_keep_alive_ || has_token(value, "keep-alive");
  }
  headers_.push_back({std::string(name), std::string(value)});
  return true;
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
      auto codings = split(h.value, ',');
      chunked = !codings.empty() && iequals(trim(codings.back()), "chunked");
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
