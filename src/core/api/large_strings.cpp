#include "api/large_strings.hpp"

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "util/strings.hpp"
#include "util/utf8.hpp"
#include "util/json_reader.hpp"

namespace vgw {

const LargeStrings::Value* LargeStrings::find(std::string_view text) const {
  if (values_.empty() || !starts_with(text, prefix_)) return nullptr;
  auto index = parse_uint(text.substr(prefix_.size()));
  if (!index || *index >= values_.size()) return nullptr;
  return &values_[*index];
}

std::string_view LargeStrings::resolve(std::string_view text) const {
  const Value* v = find(text);
  return v ? v->value : text;
}

std::string LargeStrings::add(std::string_view json, std::string_view value) {
  // Unguessable, so a client cannot write a placeholder of its own.
  if (prefix_.empty()) {
    prefix_ = "vgw-large-" + crypto::to_hex(crypto::random_bytes(8)) + "-";
  }
  values_.push_back({json, value});
  return prefix_ + std::to_string(values_.size() - 1);
}

std::string_view LargeStrings::keep(std::string text) {
  kept_.push_back(std::move(text));
  return kept_.back();
}

namespace {

// What the JSON grammar allows inside a string literal without escapes:
// no control characters, and well-formed UTF-8, as nlohmann's lexer checks.
bool plain_json_string(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80) {
      if (*p < 0x20) return false;
      ++p;
      continue;
    }
    int n = utf8_sequence(p, end);
    if (n < 0) return false;
    p += n;
  }
  return true;
}

}  // namespace

JsonSkeleton json_skeleton(std::string_view body, size_t threshold,
                           int max_depth, LargeStrings& large) {
  JsonSkeleton out;
  int depth = 0;
  size_t copied = 0;  // body[0, copied) is in out.text (once changed)
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        out.too_deep = true;
        return out;
      }
      continue;
    }
    if (c == '}' || c == ']') {
      --depth;
      continue;
    }
    if (c != '"') continue;
    size_t start = i;
    bool escaped = false;
    for (++i; i < body.size() && body[i] != '"'; ++i) {
      if (body[i] == '\\') {
        escaped = true;
        ++i;
      }
    }
    if (i >= body.size()) break;  // unterminated: the parser reports it
    size_t length = i - start - 1;
    if (length < threshold) continue;
    // Keys stay as they are: two placeholders for one duplicated key would
    // be two keys, and which duplicate wins (the last) would change.
    size_t next = body.find_first_not_of(" \t\r\n", i + 1);
    if (next != std::string_view::npos && body[next] == ':') continue;
    std::string_view json = body.substr(start + 1, length);
    std::string_view value = json;
    if (escaped) {
      // Rare (PHP writes "\/" into base64): unescaped once, kept here.
      auto parsed = read_json(body.substr(start, length + 2));
      if (!parsed.is_string()) continue;  // the parser reports it
      value = large.keep(std::move(parsed.get_ref<std::string&>()));
    } else if (!plain_json_string(json)) {
      continue;  // left in place for the parser to refuse
    }
    out.changed = true;
    out.text.append(body.substr(copied, start - copied));
    out.text += '"';
    out.text += large.add(json, value);
    out.text += '"';
    copied = i + 1;
  }
  if (out.changed) out.text.append(body.substr(copied));
  return out;
}

}  // namespace vgw
