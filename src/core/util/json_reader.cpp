#include "util/json_reader.hpp"

#include <string>

#include "util/json_lexer.hpp"

namespace vgw {
namespace {

using json_lexing::Lexer;
using json_lexing::Number;

class Reader {
 public:
  explicit Reader(std::string_view text) : lex_(text) {}

  bool document(Json& out) {
    if (!lex_.skip_bom()) return false;
    lex_.skip_space();
    if (!value(out, 0)) return false;
    lex_.skip_space();
    return lex_.at_end();
  }

 private:
  bool value(Json& out, int depth) {
    switch (lex_.peek()) {
      case -1:
        return false;
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"':
        out = Json::value_t::string;
        return string(out.get_ref<std::string&>());
      case 't':
        out = true;
        return lex_.literal("true", 4);
      case 'f':
        out = false;
        return lex_.literal("false", 5);
      case 'n':
        out = nullptr;
        return lex_.literal("null", 4);
      default:
        return number(out);
    }
  }

  bool string(std::string& out) {
    std::string_view body;
    bool escaped;
    if (!lex_.string(body, escaped)) return false;
    if (escaped) {
      json_lexing::unescape(body, out);
    } else {
      out.assign(body);
    }
    return true;
  }

  bool number(Json& out) {
    std::string_view token;
    Number n;
    if (!lex_.number(token, &n)) return false;
    switch (n.kind) {
      case Number::Kind::unsigned_integer:
        out = n.unsigned_value;
        break;
      case Number::Kind::signed_integer:
        out = n.signed_value;
        break;
      case Number::Kind::floating:
        out = n.floating_value;
        break;
    }
    return true;
  }

  bool object(Json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    out = Json::value_t::object;
    auto& members = out.get_ref<Json::object_t&>();
    if (lex_.closes_empty('}')) return true;
    std::string key;
    for (;;) {
      if (lex_.peek() != '"') return false;
      key.clear();
      if (!string(key)) return false;
      lex_.skip_space();
      if (!lex_.eat(':')) return false;
      lex_.skip_space();
      auto [it, inserted] = members.try_emplace(key);
      if (!inserted) it->second = Json();  // the last duplicate wins
      if (!value(it->second, depth)) return false;
      Lexer::After next = lex_.after_item('}');
      if (next != Lexer::After::more) return next == Lexer::After::closed;
    }
  }

  bool array(Json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    out = Json::value_t::array;
    auto& items = out.get_ref<Json::array_t&>();
    if (lex_.closes_empty(']')) return true;
    for (;;) {
      items.emplace_back();
      if (!value(items.back(), depth)) return false;
      Lexer::After next = lex_.after_item(']');
      if (next != Lexer::After::more) return next == Lexer::After::closed;
    }
  }

  Lexer lex_;
};

}  // namespace

Json read_json(std::string_view text) {
  Json out;
  if (!Reader(text).document(out)) return Json(Json::value_t::discarded);
  return out;
}

}  // namespace vgw
