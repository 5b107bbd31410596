#pragma once

#include <string_view>

namespace vgw {

// RFC 9110 tchar, as a table: every byte of a header name is looked up.
struct HttpTokenTable {
  bool allowed[256] = {};
  constexpr HttpTokenTable() {
    for (int c = '0'; c <= '9'; ++c) allowed[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) allowed[c] = allowed[c - 32] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) {
      allowed[static_cast<unsigned char>(c)] = true;
    }
  }
};
inline constexpr HttpTokenTable kHttpToken;

inline bool is_http_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!kHttpToken.allowed[c]) return false;
  }
  return true;
}

// Does the comma-separated list `value` hold `token` (case-insensitive)?
bool list_has_token(std::string_view value, std::string_view token);

}  // namespace vgw
