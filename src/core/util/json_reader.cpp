#include "util/json_reader.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "util/utf8.hpp"

namespace vgw {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text)
      : p_(reinterpret_cast<const unsigned char*>(text.data())),
        end_(p_ + text.size()) {}

  bool document(Json& out) {
    // nlohmann skips a BOM only in full: a lone 0xEF is an error.
    if (p_ < end_ && *p_ == 0xEF) {
      if (end_ - p_ < 3 || p_[1] != 0xBB || p_[2] != 0xBF) return false;
      p_ += 3;
    }
    skip_space();
    if (!value(out, 0)) return false;
    skip_space();
    return p_ == end_;
  }

 private:
  void skip_space() {
    while (p_ < end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }

  bool value(Json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out = Json::value_t::string;
        return string(out.get_ref<std::string&>());
      case 't':
        out = true;
        return literal("true", 4);
      case 'f':
        out = false;
        return literal("false", 5);
      case 'n':
        out = nullptr;
        return literal("null", 4);
      default:
        return number(out);
    }
  }

  bool literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      return false;
    }
    p_ += n;
    return true;
  }

  bool eat(unsigned char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // Past an opening bracket: whether the container closes at once.
  bool closes_empty(unsigned char close) {
    ++p_;
    skip_space();
    return eat(close);
  }

  // After a member or an item: a comma (more follow) or the closing
  // bracket; anything else is an error.
  enum class After { more, closed, error };
  After after_item(unsigned char close) {
    skip_space();
    if (eat(',')) {
      skip_space();
      return After::more;
    }
    return eat(close) ? After::closed : After::error;
  }

  bool object(Json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    out = Json::value_t::object;
    auto& members = out.get_ref<Json::object_t&>();
    if (closes_empty('}')) return true;
    std::string key;
    for (;;) {
      if (p_ == end_ || *p_ != '"') return false;
      key.clear();
      if (!string(key)) return false;
      skip_space();
      if (!eat(':')) return false;
      skip_space();
      auto [it, inserted] = members.try_emplace(key);
      if (!inserted) it->second = Json();  // the last duplicate wins
      if (!value(it->second, depth)) return false;
      After next = after_item('}');
      if (next != After::more) return next == After::closed;
    }
  }

  bool array(Json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    out = Json::value_t::array;
    auto& items = out.get_ref<Json::array_t&>();
    if (closes_empty(']')) return true;
    for (;;) {
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      After next = after_item(']');
      if (next != After::more) return next == After::closed;
    }
  }

  static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u".
  bool code_unit(uint32_t& unit) {
    if (end_ - p_ < 4) return false;
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hex_digit(p_[i]);
      if (d < 0) return false;
      unit = unit << 4 | static_cast<uint32_t>(d);
    }
    p_ += 4;
    return true;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
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

  // After "\u": one code point, a surrogate pair written as two escapes.
  bool unicode_escape(std::string& out) {
    uint32_t cp;
    if (!code_unit(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!code_unit(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    ++p_;
    const unsigned char* run = p_;
    auto flush = [&] {
      out.append(reinterpret_cast<const char*>(run),
                 static_cast<size_t>(p_ - run));
    };
    for (;;) {
      while (p_ < end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' &&
             *p_ != '\\') {
        ++p_;
      }
      if (p_ == end_) return false;
      unsigned char c = *p_;
      if (c == '"') {
        flush();
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
      flush();
      if (++p_ == end_) return false;
      switch (*p_++) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
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
        case 'u':
          if (!unicode_escape(out)) return false;
          break;
        default:
          return false;
      }
      run = p_;
    }
  }

  static bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

  bool number(Json& out) {
    const unsigned char* start = p_;
    bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    const unsigned char* digits_end = p_;
    bool integral = true;
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
    if (integral) {
      uint64_t magnitude = 0;
      bool overflow = false;
      for (const unsigned char* d = start + negative; d < digits_end; ++d) {
        auto v = static_cast<uint64_t>(*d - '0');
        if (magnitude > (UINT64_MAX - v) / 10) {
          overflow = true;
          break;
        }
        magnitude = magnitude * 10 + v;
      }
      if (!overflow && !negative) {
        out = magnitude;
        return true;
      }
      if (!overflow && magnitude <= uint64_t{1} << 63) {
        out = static_cast<int64_t>(0 - magnitude);
        return true;
      }
      // Beyond 64 bits nlohmann reads the integer as a double.
    }
    std::string text(reinterpret_cast<const char*>(start),
                     static_cast<size_t>(p_ - start));
    double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) return false;
    out = v;
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

}  // namespace

Json read_json(std::string_view text) {
  Json out;
  if (!Reader(text).document(out)) return Json(Json::value_t::discarded);
  return out;
}

}  // namespace vgw
