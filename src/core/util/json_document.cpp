#include "util/json_document.hpp"

#include <algorithm>
#include <string>

#include "util/json_lexer.hpp"
#include "util/json_reader.hpp"

namespace vgw {

using json_lexing::Lexer;

class JsonIndexer {
 public:
  JsonIndexer(std::string_view text, int max_depth,
              std::vector<JsonDocument::Entry>& out)
      : lex_(text), max_depth_(max_depth), out_(out) {}

  bool too_deep() const { return too_deep_; }

  bool document() {
    if (!lex_.skip_bom()) return false;
    lex_.skip_space();
    if (!value(0)) return false;
    lex_.skip_space();
    return lex_.at_end();
  }

 private:
  using Kind = JsonDocument::Kind;

  size_t push(Kind kind, size_t offset, size_t length) {
    out_.push_back({static_cast<uint32_t>(offset),
                    static_cast<uint32_t>(length), 0, kind, false});
    out_.back().next = static_cast<uint32_t>(out_.size());
    return out_.size() - 1;
  }

  bool value(int depth) {
    size_t at = lex_.offset();
    switch (lex_.peek()) {
      case -1:
        return false;
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        push(Kind::boolean_true, at, 4);
        return lex_.literal("true", 4);
      case 'f':
        push(Kind::boolean_false, at, 5);
        return lex_.literal("false", 5);
      case 'n':
        push(Kind::null, at, 4);
        return lex_.literal("null", 4);
      default: {
        std::string_view token;
        if (!lex_.number(token)) return false;
        push(Kind::number, at, token.size());
        return true;
      }
    }
  }

  bool string() {
    std::string_view body;
    bool escaped;
    size_t at = lex_.offset() + 1;
    if (!lex_.string(body, escaped)) return false;
    out_[push(Kind::string, at, body.size())].escaped = escaped;
    return true;
  }

  // The container's entry learns where its values end once they are read.
  bool close(size_t container) {
    out_[container].next = static_cast<uint32_t>(out_.size());
    return true;
  }

  bool object(int depth) {
    if (deeper_than_allowed(depth)) return false;
    size_t self = push(Kind::object, lex_.offset(), 0);
    if (lex_.closes_empty('}')) return close(self);
    for (;;) {
      if (lex_.peek() != '"' || !string()) return false;
      lex_.skip_space();
      if (!lex_.eat(':')) return false;
      lex_.skip_space();
      if (!value(depth)) return false;
      Lexer::After next = lex_.after_item('}');
      if (next != Lexer::After::more) {
        return next == Lexer::After::closed && close(self);
      }
    }
  }

  bool array(int depth) {
    if (deeper_than_allowed(depth)) return false;
    size_t self = push(Kind::array, lex_.offset(), 0);
    if (lex_.closes_empty(']')) return close(self);
    for (;;) {
      if (!value(depth)) return false;
      Lexer::After next = lex_.after_item(']');
      if (next != Lexer::After::more) {
        return next == Lexer::After::closed && close(self);
      }
    }
  }

  bool deeper_than_allowed(int depth) {
    too_deep_ = depth > max_depth_;
    return too_deep_;
  }

  Lexer lex_;
  int max_depth_;
  bool too_deep_ = false;
  std::vector<JsonDocument::Entry>& out_;
};

JsonDocument::JsonDocument(std::string_view text, int max_depth) : text_(text) {
  if (text.size() >= UINT32_MAX) return;
  // About one value per eight bytes in a vendor's reply; more grow.
  entries_.reserve(std::min<size_t>(text.size() / 8 + 4, 256));
  JsonIndexer indexer(text, max_depth, entries_);
  if (!indexer.document()) {
    entries_.clear();
    too_deep_ = indexer.too_deep();
  }
}

bool JsonDocument::key_is(const Entry& key, std::string_view wanted) const {
  if (!key.escaped) return text_of(key) == wanted;
  std::string decoded;
  json_lexing::unescape(text_of(key), decoded);
  return decoded == wanted;
}

JsonDocument::Node JsonDocument::member(Node object,
                                        std::string_view key) const {
  if (!is_object(object)) return kNoNode;
  Node found = kNoNode;
  for (Node k = object + 1; k < entries_[object].next;
       k = entries_[k + 1].next) {
    if (key_is(entries_[k], key)) found = k + 1;
  }
  return found;
}

JsonDocument::Node JsonDocument::element(Node array, size_t index) const {
  if (!is_array(array)) return kNoNode;
  Node n = array + 1;
  for (; n < entries_[array].next && index > 0; --index) n = entries_[n].next;
  return n < entries_[array].next ? n : kNoNode;
}

std::string_view JsonDocument::string(Node n, std::string& scratch) const {
  if (!is_string(n)) return {};
  const Entry& e = entries_[n];
  if (!e.escaped) return text_of(e);
  scratch.clear();
  json_lexing::unescape(text_of(e), scratch);
  return scratch;
}

std::optional<std::string> JsonDocument::integer_text(Node n) const {
  if (kind(n) != Kind::number) return std::nullopt;
  auto number = json_lexing::read_number(text_of(entries_[n]));
  switch (number.kind) {
    case json_lexing::Number::Kind::unsigned_integer:
      return std::to_string(number.unsigned_value);
    case json_lexing::Number::Kind::signed_integer:
      return std::to_string(number.signed_value);
    case json_lexing::Number::Kind::floating:
      break;
  }
  return std::nullopt;
}

const Json& JsonDocument::value(Node n) const {
  static const Json kNull;
  if (kind(n) == Kind::none) return kNull;
  for (const auto& [node, v] : values_) {
    if (node == n) return v;
  }
  return values_.emplace_front(n, copy(n)).second;
}

Json JsonDocument::copy(Node n) const {
  if (kind(n) == Kind::none) return Json();
  const Entry& e = entries_[n];
  switch (e.kind) {
    case Kind::none:
    case Kind::null:
      return Json();
    case Kind::boolean_false:
      return Json(false);
    case Kind::boolean_true:
      return Json(true);
    case Kind::number: {
      auto number = json_lexing::read_number(text_of(e));
      switch (number.kind) {
        case json_lexing::Number::Kind::unsigned_integer:
          return Json(number.unsigned_value);
        case json_lexing::Number::Kind::signed_integer:
          return Json(number.signed_value);
        case json_lexing::Number::Kind::floating:
          return Json(number.floating_value);
      }
      return Json();
    }
    case Kind::string: {
      Json s(Json::value_t::string);
      auto& text = s.get_ref<std::string&>();
      if (e.escaped) {
        json_lexing::unescape(text_of(e), text);
      } else {
        text.assign(text_of(e));
      }
      return s;
    }
    case Kind::array: {
      Json a(Json::value_t::array);
      auto& items = a.get_ref<Json::array_t&>();
      for (Node i = n + 1; i < e.next; i = entries_[i].next) {
        items.push_back(copy(i));
      }
      return a;
    }
    case Kind::object: {
      Json o(Json::value_t::object);
      auto& members = o.get_ref<Json::object_t&>();
      std::string key;
      for (Node k = n + 1; k < e.next; k = entries_[k + 1].next) {
        key.clear();
        const Entry& name = entries_[k];
        if (name.escaped) {
          json_lexing::unescape(text_of(name), key);
        } else {
          key.assign(text_of(name));
        }
        members.insert_or_assign(key, copy(k + 1));
      }
      return o;
    }
  }
  return Json();
}

}  // namespace vgw
