#pragma once

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vgw {

// Bytes a JSON string holds as they are: printable ASCII other than '"' and
// '\\'. The reader and the writer both look at every byte of every string
// (ids, URLs, prompts), so runs of them are skipped 16 bytes at a time.
inline constexpr std::array<bool, 256> kPlainJsonByte = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// The first byte at or after `p` that is not plain (or `end`).
inline const unsigned char* skip_plain_json_bytes(const unsigned char* p,
                                                  const unsigned char* end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed: bytes of 0x80 and above compare below 0x20 too.
    __m128i special = _mm_or_si128(
        _mm_cmplt_epi8(v, space),
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && kPlainJsonByte[*p]) ++p;
  return p;
}

}  // namespace vgw
