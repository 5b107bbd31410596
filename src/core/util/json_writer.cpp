#include "util/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/plain_json_bytes.hpp"
#include "util/utf8.hpp"

namespace vgw {
namespace {

char* put(char* at, std::string_view s) {
  std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

bool all_plain(std::string_view value) {
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  return skip_plain_json_bytes(p, end) == end;
}

// Room for `value` as a JSON string literal: exact when it is `plain`
// (nothing to escape: ids, names, URLs), else the worst case, six bytes per
// byte (\u00XX; a U+FFFD written for a malformed sequence takes three for
// at least one byte).
size_t json_string_room(std::string_view value, bool plain) {
  return (plain ? value.size() : 6 * value.size()) + 2;
}

// Writes `value`, which needs escapes, as a JSON string literal at `at`
// (json_string_room(value, false) bytes); returns the end.
char* write_escaped_json_string(char* at, std::string_view value) {
  static const char* hex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  *at++ = '"';
  while (p < end) {
    const unsigned char* run = p;
    p = skip_plain_json_bytes(p, end);
    std::memcpy(at, run, static_cast<size_t>(p - run));
    at += p - run;
    if (p == end) break;
    unsigned char c = *p;
    if (c >= 0x80) {
      int n = utf8_sequence(p, end);
      if (n > 0) {
        std::memcpy(at, p, static_cast<size_t>(n));
        at += n;
        p += n;
      } else {
        at = put(at, "\xEF\xBF\xBD");
        p += -n;
      }
      continue;
    }
    ++p;
    *at++ = '\\';
    switch (c) {
      case '"':
        *at++ = '"';
        break;
      case '\\':
        *at++ = '\\';
        break;
      case '\b':
        *at++ = 'b';
        break;
      case '\f':
        *at++ = 'f';
        break;
      case '\n':
        *at++ = 'n';
        break;
      case '\r':
        *at++ = 'r';
        break;
      case '\t':
        *at++ = 't';
        break;
      default:
        at = put(at, "u00");
        *at++ = hex[c >> 4];
        *at++ = hex[c & 15];
    }
  }
  *at++ = '"';
  return at;
}

// Writes `value` as a JSON string literal at `at`, which has
// json_string_room(value, plain) bytes; returns the end.
char* write_json_string(char* at, std::string_view value, bool plain) {
  if (!plain) return write_escaped_json_string(at, value);
  *at++ = '"';
  at = put(at, value);
  *at++ = '"';
  return at;
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  bool plain = all_plain(value);
  size_t at = out.size();
  out.resize(at + json_string_room(value, plain));
  char* end = write_json_string(out.data() + at, value, plain);
  if (!plain) out.resize(static_cast<size_t>(end - out.data()));  // exact
}

JsonWriter::JsonWriter(std::string& out, size_t expected_size)
    : out_(out), used_(out.size()) {
  out_.resize(used_ + expected_size);
}

JsonWriter::~JsonWriter() {
  // A writer abandoned by an exception leaves only what it wrote.
  if (out_.size() > used_) out_.resize(used_);
}

void JsonWriter::finish() { out_.resize(used_); }

char* JsonWriter::room(size_t n) {
  if (out_.size() - used_ < n) {
    out_.resize(std::max(out_.size() * 2, used_ + n + 256));
  }
  return out_.data() + used_;
}

void JsonWriter::advance_to(const char* end) {
  used_ = static_cast<size_t>(end - out_.data());
}

char* JsonWriter::value_room(size_t n) {
  char* at = room(n + 1);
  if (!first_) *at++ = ',';
  first_ = false;
  return at;
}

JsonWriter& JsonWriter::begin_object() {
  char* at = room(1);
  *at++ = '{';
  advance_to(at);
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  char* at = room(1);
  *at++ = '}';
  advance_to(at);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  // Names are the gateway's own constants: nothing to escape.
  char* at = room(name.size() + 4);
  if (!first_) *at++ = ',';
  *at++ = '"';
  at = put(at, name);
  *at++ = '"';
  *at++ = ':';
  advance_to(at);
  first_ = true;  // the value that follows takes no comma
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  bool plain = all_plain(value);
  advance_to(write_json_string(value_room(json_string_room(value, plain)),
                               value, plain));
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  constexpr size_t kDigits = 20;  // "-9223372036854775808"
  char* at = value_room(kDigits);
  advance_to(std::to_chars(at, at + kDigits, value).ptr);
  return *this;
}

JsonWriter& JsonWriter::null() {
  advance_to(put(value_room(4), "null"));
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  advance_to(put(value_room(json.size()), json));
  return *this;
}

void append_json(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_ref<const Json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_json(out, item);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      char digits[24];
      auto end =
          v.is_number_unsigned()
              ? std::to_chars(digits, digits + sizeof digits, v.get<uint64_t>())
                    .ptr
              : std::to_chars(digits, digits + sizeof digits, v.get<int64_t>())
                    .ptr;
      out.append(digits, static_cast<size_t>(end - digits));
      return;
    }
    default:  // floats (nlohmann's shortest round-trip form), the rest
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

}  // namespace vgw
