#include "util/json_lexer.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "util/plain_json_bytes.hpp"
#include "util/utf8.hpp"

namespace vgw::json_lexing {
namespace {

int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

// No double is more than 309 digits before the point: an integer of up
// to this many digits cannot overflow to infinity.
constexpr size_t kAlwaysFiniteDigits = 308;

uint32_t hex4(const unsigned char* p) {
  uint32_t unit = 0;
  for (int i = 0; i < 4; ++i) {
    unit = unit << 4 | static_cast<uint32_t>(hex_digit(p[i]));
  }
  return unit;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool Lexer::skip_bom() {
  if (p_ < end_ && *p_ == 0xEF) {
    if (end_ - p_ < 3 || p_[1] != 0xBB || p_[2] != 0xBF) return false;
    p_ += 3;
  }
  return true;
}

bool Lexer::literal(const char* word, size_t n) {
  if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
    return false;
  }
  p_ += n;
  return true;
}

// Four hex digits after "\u".
bool Lexer::code_unit(uint32_t& unit) {
  if (end_ - p_ < 4) return false;
  for (int i = 0; i < 4; ++i) {
    if (hex_digit(p_[i]) < 0) return false;
  }
  unit = hex4(p_);
  p_ += 4;
  return true;
}

// After "\u": one code point, a surrogate pair written as two escapes.
bool Lexer::unicode_escape() {
  uint32_t cp;
  if (!code_unit(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low;
    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
    p_ += 2;
    if (!code_unit(low) || low < 0xDC00 || low > 0xDFFF) return false;
  }
  return true;
}

bool Lexer::string(std::string_view& body, bool& escaped) {
  const unsigned char* start = ++p_;
  escaped = false;
  for (;;) {
    p_ = skip_plain_json_bytes(p_, end_);
    if (p_ == end_) return false;
    unsigned char c = *p_;
    if (c == '"') {
      body = std::string_view(reinterpret_cast<const char*>(start),
                              static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    if (c >= 0x80) {
      int n = utf8_sequence(p_, end_);
      if (n < 0) return false;
      p_ += n;
      continue;
    }
    if (c < 0x20) return false;
    escaped = true;
    if (++p_ == end_) return false;
    switch (*p_++) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        break;
      case 'u':
        if (!unicode_escape()) return false;
        break;
      default:
        return false;
    }
  }
}

bool Lexer::number(std::string_view& token, Number* value) {
  const unsigned char* start = p_;
  bool integral = true;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ == end_ || !digit(*p_)) return false;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ < end_ && digit(*p_)) ++p_;
  }
  size_t digits = static_cast<size_t>(p_ - start);
  if (p_ < end_ && *p_ == '.') {
    integral = false;
    if (++p_ == end_ || !digit(*p_)) return false;
    while (p_ < end_ && digit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    integral = false;
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !digit(*p_)) return false;
    while (p_ < end_ && digit(*p_)) ++p_;
  }
  token = std::string_view(reinterpret_cast<const char*>(start),
                           static_cast<size_t>(p_ - start));
  if (value == nullptr && integral && digits <= kAlwaysFiniteDigits) {
    return true;
  }
  Number n = read_number(token);
  if (value != nullptr) *value = n;
  return n.kind != Number::Kind::floating || std::isfinite(n.floating_value);
}

Number read_number(std::string_view token) {
  Number out;
  bool negative = !token.empty() && token.front() == '-';
  size_t digits_end = token.find_first_of(".eE");
  if (digits_end == std::string_view::npos) {
    uint64_t magnitude = 0;
    bool overflow = false;
    for (size_t i = negative ? 1 : 0; i < token.size(); ++i) {
      auto v = static_cast<uint64_t>(token[i] - '0');
      if (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
          __builtin_add_overflow(magnitude, v, &magnitude)) {
        overflow = true;
        break;
      }
    }
    if (!overflow && !negative) {
      out.kind = Number::Kind::unsigned_integer;
      out.unsigned_value = magnitude;
      return out;
    }
    if (!overflow && magnitude <= uint64_t{1} << 63) {
      out.kind = Number::Kind::signed_integer;
      out.signed_value = static_cast<int64_t>(0 - magnitude);
      return out;
    }
    // Beyond 64 bits nlohmann reads the integer as a double.
  }
  std::string text(token);
  out.kind = Number::Kind::floating;
  out.floating_value = std::strtod(text.c_str(), nullptr);
  return out;
}

void unescape(std::string_view body, std::string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const auto* end = p + body.size();
  while (p < end) {
    const unsigned char* run = p;
    while (p < end && *p != '\\') ++p;
    out.append(reinterpret_cast<const char*>(run),
               static_cast<size_t>(p - run));
    if (p == end) return;
    ++p;  // the backslash; Lexer::string() saw what follows it
    switch (*p++) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        uint32_t cp = hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low = hex4(p + 2);
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        break;
      }
      default:  // '"', '\\', '/'
        out.push_back(static_cast<char>(p[-1]));
        break;
    }
  }
}

}  // namespace vgw::json_lexing
