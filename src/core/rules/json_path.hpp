#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/json.hpp"
#include "util/json_document.hpp"

namespace vgw {

// A dotted path with array indexes: `data.task_result.videos[0].url`, and
// optionally one filter at its end (`image|base64`, see media_filters.hpp),
// kept as a last segment "|base64".
class JsonPath {
 public:
  JsonPath() = default;
  static JsonPath parse(std::string_view text);  // throws RuleError

  // nullptr when any step is missing or of the wrong type.
  const Json* find(const Json& root) const;
  const Json* find_from(const Json& root, size_t first_segment) const;
  // The same in a flat document; the value is built when first found.
  const Json* find(const JsonDocument& document) const;
  // json_text() of the value found, with no Json built for a string;
  // nullopt when it is missing or null.
  std::optional<std::string> find_text(const JsonDocument& document) const;

  const std::string& root() const;
  // The first segment when it is a name (nullptr: empty, or an index).
  const std::string* root_name() const;
  // The filter's name (without '|'), nullptr when there is none.
  const std::string* filter() const;
  bool is_index(size_t segment) const {
    return segment < segments_.size() &&
           std::holds_alternative<size_t>(segments_[segment]);
  }
  bool empty() const { return segments_.empty(); }
  size_t size() const { return segments_.size(); }
  const std::string& text() const { return text_; }

 private:
  JsonDocument::Node node(const JsonDocument& document) const;

  using Segment = std::variant<std::string, size_t>;
  std::vector<Segment> segments_;
  std::string text_;
  std::string filter_;
};

// Reads a number that vendors sometimes send as a string ("1000").
std::optional<double> json_number(const Json& v);
// Renders scalars as text: strings as-is, numbers without a trailing ".0".
std::string json_text(const Json& v);
bool json_truthy(const Json& v);

}  // namespace vgw
