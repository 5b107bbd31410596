#include "util/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/plain_json_bytes.hpp"
#include "util/utf8.hpp"

namespace vgw {
namespace {

// At most six bytes per input byte (\u00XX; a U+FFFD written for a
// malformed sequence takes three for at least one), plus the quotes.
size_t escaped_bound(size_t n) { return 6 * n + 2; }

char* put(char* at, std::string_view s) {
  std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

// Writes `value` as a JSON string literal at `at`, which has room for
// escaped_bound(value.size()) bytes; returns the end.
char* write_json_string(char* at, std::string_view value) {
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

bool all_plain(std::string_view value) {
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  return skip_plain_json_bytes(p, end) == end;
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  size_t at = out.size();
  if (all_plain(value)) {  // the common case: ids, names, URLs
    out.resize(at + value.size() + 2);
    char* to = out.data() + at;
    *to++ = '"';
    to = put(to, value);
    *to = '"';
    return;
  }
  out.resize(at + escaped_bound(value.size()));
  char* end = write_json_string(out.data() + at, value);
  out.resize(static_cast<size_t>(end - out.data()));
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
  if (all_plain(value)) {
    char* at = value_room(value.size() + 2);
    *at++ = '"';
    at = put(at, value);
    *at++ = '"';
    advance_to(at);
  } else {
    advance_to(
        write_json_string(value_room(escaped_bound(value.size())), value));
  }
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
