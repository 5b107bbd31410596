#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace vgw {
namespace {

constexpr char kStd[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Writes base64_encoded_size(in.size()) characters, or fewer without
// padding; returns the end.
char* encode(std::string_view in, const char* alphabet, bool pad, char* o) {
  const auto* d = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8) | d[i + 2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
    o += 4;
  }
  size_t rest = in.size() - i;
  if (rest == 0) return o;
  uint32_t v = uint32_t(d[i]) << 16;
  if (rest == 2) v |= uint32_t(d[i + 1]) << 8;
  *o++ = alphabet[(v >> 18) & 63];
  *o++ = alphabet[(v >> 12) & 63];
  if (rest == 2) *o++ = alphabet[(v >> 6) & 63];
  if (pad) {
    *o++ = '=';
    if (rest == 1) *o++ = '=';
  }
  return o;
}

void encode_append(std::string_view in, const char* alphabet, bool pad,
                   std::string& out) {
  size_t at = out.size();
  out.resize(at + base64_encoded_size(in.size()));
  char* end = encode(in, alphabet, pad, out.data() + at);
  out.resize(static_cast<size_t>(end - out.data()));
}

std::array<int8_t, 256> make_table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}

// Whitespace is skipped anywhere and `=` may only end the text. Runs of four
// alphabet characters at a group boundary (nearly all of a text) are
// decoded as one group.
bool decode_into(std::string_view in, const std::array<int8_t, 256>& table,
                 char*& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  while (p < end) {
    if (bits == 0 && padding == 0) {
      for (; end - p >= 4; p += 4) {
        int a = table[p[0]], b = table[p[1]], c = table[p[2]], d = table[p[3]];
        if ((a | b | c | d) < 0) break;
        uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) |
                     (uint32_t(c) << 6) | uint32_t(d);
        out[0] = static_cast<char>(v >> 16);
        out[1] = static_cast<char>((v >> 8) & 0xFF);
        out[2] = static_cast<char>(v & 0xFF);
        out += 3;
      }
      if (p == end) break;
    }
    unsigned char c = *p++;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding || table[c] < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(table[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out++ = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return padding <= 2 && bits < 6;
}

std::optional<std::string> decode(std::string_view in,
                                  const std::array<int8_t, 256>& table) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  char* at = out.data();
  if (!decode_into(in, table, at)) return std::nullopt;
  out.resize(static_cast<size_t>(at - out.data()));
  return out;
}

const std::array<int8_t, 256>& std_table() {
  static const auto table = make_table(kStd);
  return table;
}

}  // namespace

size_t base64_encoded_size(size_t raw_size) { return (raw_size + 2) / 3 * 4; }

void base64_encode_append(std::string_view data, std::string& out) {
  encode_append(data, kStd, true, out);
}

std::string base64_encode(std::string_view data) {
  std::string out;
  encode_append(data, kStd, true, out);
  return out;
}

void base64url_encode_append(std::string_view data, std::string& out) {
  encode_append(data, kUrl, false, out);
}

std::string base64url_encode(std::string_view data) {
  std::string out;
  encode_append(data, kUrl, false, out);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  return decode(text, std_table());
}

void base64_encode_to(std::string_view data, char* out) {
  encode(data, kStd, true, out);
}

std::optional<size_t> base64_decode_to(std::string_view text, char* out) {
  char* at = out;
  if (!decode_into(text, std_table(), at)) return std::nullopt;
  return static_cast<size_t>(at - out);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  static const auto table = make_table(kUrl);
  return decode(text, table);
}

}  // namespace vgw
