#include "util/json_writer.hpp"

#include <charconv>
#include <cstring>

#include "util/plain_json_bytes.hpp"
#include "util/utf8.hpp"

namespace vgw {
namespace {

// `n` more bytes at the end of `out`, to be written: one call into the
// string instead of one per piece.
char* grow(std::string& out, size_t n) {
  size_t at = out.size();
  out.resize(at + n);
  return out.data() + at;
}

char* put(char* at, std::string_view s) {
  std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  static const char* hex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const auto* end = p + value.size();
  p = skip_plain_json_bytes(p, end);
  if (p == end) {              // the common case: ids, names, URLs
    if (value.size() <= 62) {  // most: one append of a stack copy
      char text[64];
      text[0] = '"';
      std::memcpy(text + 1, value.data(), value.size());
      text[value.size() + 1] = '"';
      out.append(text, value.size() + 2);
      return;
    }
    char* at = grow(out, value.size() + 2);
    *at++ = '"';
    at = put(at, value);
    *at = '"';
    return;
  }
  out.push_back('"');
  const auto* run =
      reinterpret_cast<const unsigned char*>(value.data());  // copied as is
  auto flush = [&](const unsigned char* upto) {
    out.append(reinterpret_cast<const char*>(run),
               static_cast<size_t>(upto - run));
  };
  while (p < end) {
    if (const unsigned char* q = skip_plain_json_bytes(p, end); q != p) {
      p = q;
      continue;
    }
    unsigned char c = *p;
    if (c >= 0x80) {
      int n = utf8_sequence(p, end);
      if (n > 0) {
        p += n;
        continue;
      }
      flush(p);
      out.append("\xEF\xBF\xBD");
      p += -n;
      run = p;
      continue;
    }
    flush(p);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    run = ++p;
  }
  flush(p);
  out.push_back('"');
}

void JsonWriter::comma() {
  if (!first_) out_.push_back(',');
  first_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  out_.push_back('{');
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  // Names are the gateway's own constants: nothing to escape. Put together
  // on the stack and appended once: a Video has a dozen of them.
  char text[64];
  if (name.size() > sizeof text - 4) {
    comma();
    out_.append("\"").append(name).append("\":");
  } else {
    size_t n = 0;
    if (!first_) text[n++] = ',';
    text[n++] = '"';
    std::memcpy(text + n, name.data(), name.size());
    n += name.size();
    text[n++] = '"';
    text[n++] = ':';
    out_.append(text, n);
  }
  first_ = true;  // the value that follows takes no comma
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  comma();
  append_json_string(out_, value);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  char text[24];
  char* at = text;
  if (!first_) *at++ = ',';
  at = std::to_chars(at, text + sizeof text, value).ptr;
  out_.append(text, static_cast<size_t>(at - text));
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::null() {
  out_.append(first_ ? "null" : ",null", first_ ? 4 : 5);
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  comma();
  out_.append(json);
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
