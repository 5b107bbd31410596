#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <vector>

namespace vgw {

// String values of a client's JSON body too large to copy around: base64
// images and data URLs of many megabytes. They stay where they are in the
// request body; the parsed document holds an unguessable placeholder for
// each, and the vendor body gets the original bytes spliced back in.
class LargeStrings {
 public:
  struct Value {
    std::string_view json;   // as written between the quotes (JSON-escaped)
    std::string_view value;  // unescaped
  };

  // The value behind a placeholder, or nullptr for any other string.
  const Value* find(std::string_view text) const;
  // `text` itself, or the value its placeholder stands for.
  std::string_view resolve(std::string_view text) const;
  const std::string& prefix() const { return prefix_; }
  bool empty() const { return values_.empty(); }

  // Registers a string literal's content (without its quotes); `value` must
  // stay valid as long as this object (a view of the body, or kept here
  // when it had to be unescaped). Returns its placeholder.
  std::string add(std::string_view json, std::string_view value);
  std::string_view keep(std::string text);

 private:
  std::string prefix_;
  std::vector<Value> values_;
  std::list<std::string> kept_;
};

// Scans a JSON text once: refuses nesting deeper than `max_depth` (nlohmann
// parses iteratively but destroys and dumps values recursively), and
// replaces every string value (not an object key) of at least `threshold`
// bytes with its placeholder in `large`. `changed` is false when nothing was
// replaced (then `text` is empty and the body is parsed as it is).
struct JsonSkeleton {
  bool too_deep = false;
  bool changed = false;
  std::string text;
};
JsonSkeleton json_skeleton(std::string_view body, size_t threshold,
                           int max_depth, LargeStrings& large);

}  // namespace vgw
