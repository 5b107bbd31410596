#include "rules/json_path.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "rules/rule_error.hpp"
#include "util/strings.hpp"

namespace vgw {

JsonPath JsonPath::parse(std::string_view written) {
  JsonPath p;
  p.text_ = std::string(written);
  auto bad = [&](const char* why) {
    return RuleError("bad path '" + std::string(written) + "': " + why);
  };
  std::string_view text = written;
  std::string_view filter;
  if (size_t bar = text.find('|'); bar != std::string_view::npos) {
    filter = text.substr(bar + 1);
    text = text.substr(0, bar);
    if (filter.empty()) throw bad("empty filter after '|'");
    for (char c : filter) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        throw bad("unexpected character in the filter");
      }
    }
  }
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) throw bad("missing ']'");
      auto n = parse_uint(text.substr(i + 1, close - i - 1));
      if (!n) throw bad("array index must be a number");
      p.segments_.emplace_back(static_cast<size_t>(*n));
      i = close + 1;
      if (i < text.size() && text[i] == '.') ++i;
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    if (end == std::string_view::npos) end = text.size();
    auto key = text.substr(i, end - i);
    if (key.empty()) throw bad("empty segment");
    for (char c : key) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
            c == '-' || c == '@')) {
        throw bad("unexpected character");
      }
    }
    p.segments_.emplace_back(std::string(key));
    i = end;
    if (i < text.size() && text[i] == '.') {
      ++i;
      if (i == text.size()) throw bad("trailing '.'");
    }
  }
  if (p.segments_.empty() ||
      !std::holds_alternative<std::string>(p.segments_.front())) {
    throw bad("a path starts with a name");
  }
  if (!filter.empty()) {
    p.filter_ = std::string(filter);
    p.segments_.emplace_back("|" + p.filter_);
  }
  return p;
}

const std::string* JsonPath::filter() const {
  return filter_.empty() ? nullptr : &filter_;
}

const std::string& JsonPath::root() const {
  return std::get<std::string>(segments_.front());
}

const std::string* JsonPath::root_name() const {
  return segments_.empty() ? nullptr
                           : std::get_if<std::string>(&segments_.front());
}

const Json* JsonPath::find(const Json& root) const {
  return find_from(root, 0);
}

const Json* JsonPath::find_from(const Json& root, size_t first) const {
  const Json* cur = &root;
  for (size_t i = first; i < segments_.size(); ++i) {
    const auto& seg = segments_[i];
    if (const auto* key = std::get_if<std::string>(&seg)) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(*key);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else {
      size_t idx = std::get<size_t>(seg);
      if (!cur->is_array() || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    }
  }
  return cur;
}

JsonDocument::Node JsonPath::node(const JsonDocument& document) const {
  JsonDocument::Node cur = document.root();
  for (const auto& seg : segments_) {
    if (const auto* key = std::get_if<std::string>(&seg)) {
      cur = document.member(cur, *key);
    } else {
      cur = document.element(cur, std::get<size_t>(seg));
    }
    if (cur == JsonDocument::kNoNode) break;
  }
  return cur;
}

const Json* JsonPath::find(const JsonDocument& document) const {
  JsonDocument::Node found = node(document);
  if (found == JsonDocument::kNoNode) return nullptr;
  return &document.value(found);
}

std::optional<std::string> JsonPath::find_text(
    const JsonDocument& document) const {
  JsonDocument::Node found = node(document);
  if (found == JsonDocument::kNoNode || document.is_null(found)) {
    return std::nullopt;
  }
  if (document.is_string(found)) {
    std::string scratch;
    std::string_view text = document.string(found, scratch);
    if (text.data() == scratch.data()) return scratch;
    return std::string(text);
  }
  return json_text(document.value(found));
}

std::optional<double> json_number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 64) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

std::string json_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool json_truthy(const Json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

}  // namespace vgw
