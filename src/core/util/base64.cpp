#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace vgw {
namespace {

constexpr char kStd[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Writes through a raw pointer, for buffers sized in advance.
struct PointerSink {
  char* at;
  void push_back(char c) { *at++ = c; }
  void append(const char* s) {
    while (*s) *at++ = *s++;
  }
};

template <class Out>
void encode(std::string_view in, const char* alphabet, bool pad, Out& out) {
  const auto* d = reinterpret_cast<const unsigned char*>(in.data());
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8) | d[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t(d[i]) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
}

std::array<int8_t, 256> make_table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}

template <class Out>
bool decode_into(std::string_view in, const std::array<int8_t, 256>& table,
                 Out& out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (unsigned char c : in) {
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
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return padding <= 2 && bits < 6;
}

std::optional<std::string> decode(std::string_view in,
                                  const std::array<int8_t, 256>& table) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  PointerSink sink{out.data()};
  if (!decode_into(in, table, sink)) return std::nullopt;
  out.resize(static_cast<size_t>(sink.at - out.data()));
  return out;
}

const std::array<int8_t, 256>& std_table() {
  static const auto table = make_table(kStd);
  return table;
}

}  // namespace

size_t base64_encoded_size(size_t raw_size) { return (raw_size + 2) / 3 * 4; }

void base64_encode_append(std::string_view data, std::string& out) {
  encode(data, kStd, true, out);
}

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve(base64_encoded_size(data.size()));
  encode(data, kStd, true, out);
  return out;
}

std::string base64url_encode(std::string_view data) {
  std::string out;
  out.reserve(base64_encoded_size(data.size()));
  encode(data, kUrl, false, out);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  return decode(text, std_table());
}

void base64_encode_to(std::string_view data, char* out) {
  PointerSink sink{out};
  encode(data, kStd, true, sink);
}

std::optional<size_t> base64_decode_to(std::string_view text, char* out) {
  PointerSink sink{out};
  if (!decode_into(text, std_table(), sink)) return std::nullopt;
  return static_cast<size_t>(sink.at - out);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  static const auto table = make_table(kUrl);
  return decode(text, table);
}

}  // namespace vgw
