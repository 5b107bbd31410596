#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// The tokens of JSON text, validated as read_json() accepts them: shared by
// the DOM reader (util/json_reader) and the flat index (util/json_document)
// so that the two accept the same documents and read the same values.
namespace vgw::json_lexing {

// A number as nlohmann reads it: unsigned or signed 64-bit integers, and
// beyond that (or with a fraction or an exponent) a finite double.
struct Number {
  enum class Kind { unsigned_integer, signed_integer, floating } kind;
  uint64_t unsigned_value = 0;
  int64_t signed_value = 0;
  double floating_value = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text)
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()) {}

  // nlohmann skips a BOM only in full: a lone 0xEF is an error.
  bool skip_bom();
  void skip_space() {
    while (p_ < end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }
  bool at_end() const { return p_ == end_; }
  int peek() const { return p_ == end_ ? -1 : *p_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  bool literal(const char* word, size_t n);
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

  // At a '"': checks the string (escapes, UTF-8, no control characters)
  // and moves past it. `body` is what lies between the quotes; `escaped`
  // says whether it holds a backslash (and must go through unescape()).
  bool string(std::string_view& body, bool& escaped);
  // At a number: checks it (grammar, and a finite value) and moves past
  // it. Its value goes to `value` when asked for (else read_number(token)
  // gives it later): read once either way.
  bool number(std::string_view& token, Number* value = nullptr);

 private:
  bool code_unit(uint32_t& unit);
  bool unicode_escape();

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
};

// The text of a string body that Lexer::string() accepted, escapes
// resolved, appended to `out`.
void unescape(std::string_view body, std::string& out);

// Reads a number token that Lexer::number() accepted.
Number read_number(std::string_view token);

}  // namespace vgw::json_lexing
