#pragma once

#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.hpp"
#include "util/json_reader.hpp"

namespace vgw {

// A JSON document read into a flat index (one entry per value, in document
// order, strings and numbers left as views of the text) instead of a tree
// of maps: a vendor reply of a few hundred bytes is read for the three or
// four values its rules look at, on every create and every poll. A value
// becomes a Json only when asked for, and is kept until the document goes.
// Accepts exactly what read_json() accepts and reads the same values (the
// json_reader fuzzer holds the two together). The text must outlive the
// document.
class JsonDocument {
 public:
  using Node = uint32_t;
  static constexpr Node kNoNode = UINT32_MAX;

  JsonDocument() = default;
  explicit JsonDocument(std::string_view text, int max_depth = kMaxJsonDepth);

  // Whether the text is one JSON document (up to 4 GiB).
  bool ok() const { return !entries_.empty(); }
  // Refused for nesting deeper than the depth it was read with.
  bool too_deep() const { return too_deep_; }
  Node root() const { return ok() ? 0 : kNoNode; }
  bool is_object(Node n) const { return kind(n) == Kind::object; }
  bool is_object() const { return is_object(root()); }
  bool is_array(Node n) const { return kind(n) == Kind::array; }

  // The value of `key` in an object (the last of duplicate keys), or
  // kNoNode when `object` is not an object or has no such member.
  Node member(Node object, std::string_view key) const;
  // Item `index` of an array, or kNoNode.
  Node element(Node array, size_t index) const;

  bool is_string(Node n) const { return kind(n) == Kind::string; }
  bool is_null(Node n) const { return kind(n) == Kind::null; }
  // A string's value: a view of the text, or of `scratch` when it had to be
  // unescaped. Empty for anything but a string.
  std::string_view string(Node n, std::string& scratch) const;
  // An integer as Json::dump() writes it; nullopt for anything else.
  std::optional<std::string> integer_text(Node n) const;
  // f(key, value) for each member of an object, in the order written (keys
  // unescaped; duplicates included).
  template <class F>
  void for_each_member(Node object, F&& f) const {
    if (!is_object(object)) return;
    std::string scratch;
    for (Node k = object + 1; k < entries_[object].next;
         k = entries_[k + 1].next) {
      f(string(k, scratch), k + 1);
    }
  }

  // The value at `n` as a Json, built on first use. Null for kNoNode.
  const Json& value(Node n) const;
  // A Json of its own: read_json(text) equals copy(root()).
  Json copy(Node n) const;

 private:
  enum class Kind : uint8_t {
    none,
    null,
    boolean_false,
    boolean_true,
    number,
    string,
    array,
    object
  };
  // Containers are followed by their values (an object's by key, value
  // pairs); `next` is the entry after the value's last descendant.
  struct Entry {
    uint32_t offset;  // string: past the opening quote
    uint32_t length;
    uint32_t next;
    Kind kind;
    bool escaped;
  };
  friend class JsonIndexer;

  Kind kind(Node n) const {
    return n < entries_.size() ? entries_[n].kind : Kind::none;
  }
  std::string_view text_of(const Entry& e) const {
    return text_.substr(e.offset, e.length);
  }
  bool key_is(const Entry& key, std::string_view wanted) const;

  std::string_view text_;
  std::vector<Entry> entries_;
  bool too_deep_ = false;
  // A list: values handed out stay where they are, and an empty one (most
  // documents, and every default-constructed one) allocates nothing, where
  // an empty std::deque allocates twice.
  mutable std::forward_list<std::pair<Node, Json>> values_;
};

}  // namespace vgw
