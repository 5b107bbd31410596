#pragma once

#include <cstdint>
#include <forward_list>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.hpp"

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
  explicit JsonDocument(std::string_view text);

  // Whether the text is one JSON document (up to 4 GiB).
  bool ok() const { return !entries_.empty(); }
  Node root() const { return ok() ? 0 : kNoNode; }
  bool is_object(Node n) const { return kind(n) == Kind::object; }
  bool is_object() const { return is_object(root()); }
  bool is_array(Node n) const { return kind(n) == Kind::array; }

  // The value of `key` in an object (the last of duplicate keys), or
  // kNoNode when `object` is not an object or has no such member.
  Node member(Node object, std::string_view key) const;
  // Item `index` of an array, or kNoNode.
  Node element(Node array, size_t index) const;

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
  // A list: values handed out stay where they are, and an empty one (most
  // documents, and every default-constructed one) allocates nothing, where
  // an empty std::deque allocates twice.
  mutable std::forward_list<std::pair<Node, Json>> values_;
};

}  // namespace vgw
