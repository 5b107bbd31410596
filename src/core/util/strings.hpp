#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vgw {

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::vector<std::string_view> split(std::string_view s, char sep);

// Strict decimal parse of the whole string (no sign, no spaces).
std::optional<uint64_t> parse_uint(std::string_view s);
// A decimal integer with an optional '-', up to 18 digits (store counters).
std::optional<int64_t> parse_int(std::string_view s);

// "1280x720" -> {1280, 720}.
struct Dimensions {
  uint32_t width = 0;
  uint32_t height = 0;
};
std::optional<Dimensions> parse_size(std::string_view s);

// Header values and URLs built from client input must never carry CR, LF or
// NUL: they would split the upstream request.
bool has_control_chars(std::string_view s);

std::string percent_encode(std::string_view s);
// Query-string decoding: %XX escapes and `+` as space.
std::string url_decode(std::string_view s);
// The first `name=value` of a query string, decoded; nullopt when absent.
std::optional<std::string> query_arg(std::string_view args,
                                     std::string_view name);

// Minimal absolute-URL split used for routing and signing; the authority is
// kept as written so that it matches what nginx sends as Host.
struct UrlParts {
  std::string scheme;     // "http" or "https"
  std::string host;       // without port
  std::string authority;  // host[:port] as nginx's $proxy_host renders it
  uint16_t port = 0;
  std::string path;   // starts with '/'
  std::string query;  // without '?'
};
std::optional<UrlParts> parse_url(std::string_view url);

// Glob with '*' (any run) and '?' (one char), case-insensitive; used for
// model names and allowed result hosts.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace vgw
