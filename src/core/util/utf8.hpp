#pragma once

#include <cstddef>

namespace vgw {

// The UTF-8 sequence starting at `p` (before `end`), as RFC 3629 allows it
// (no overlong forms, surrogates or code points above U+10FFFF): its length
// in bytes when well-formed, else minus the length of its maximal
// ill-formed prefix (what one U+FFFD replaces, as Unicode recommends).
// `*p` must be 0x80 or above.
int utf8_sequence(const unsigned char* p, const unsigned char* end);

}  // namespace vgw
