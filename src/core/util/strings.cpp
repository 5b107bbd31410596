#include "util/strings.hpp"

#include <cctype>
#include <charconv>

namespace vgw {
namespace {

// Protocol text (header names, schemes, hosts) is ASCII; std::tolower is a
// call into the C library per character and depends on the locale.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n'))
    ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' ||
                   s[e - 1] == '\n'))
    --e;
  return s.substr(b, e - b);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<uint64_t> parse_uint(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.size() > 18) return std::nullopt;
  auto n = parse_uint(s);
  if (!n) return std::nullopt;
  return negative ? -static_cast<int64_t>(*n) : static_cast<int64_t>(*n);
}

std::optional<Dimensions> parse_size(std::string_view s) {
  auto x = s.find('x');
  if (x == std::string_view::npos) x = s.find('X');
  if (x == std::string_view::npos) return std::nullopt;
  auto w = parse_uint(s.substr(0, x));
  auto h = parse_uint(s.substr(x + 1));
  if (!w || !h || *w == 0 || *h == 0 || *w > 16384 || *h > 16384) {
    return std::nullopt;
  }
  return Dimensions{static_cast<uint32_t>(*w), static_cast<uint32_t>(*h)};
}

bool has_control_chars(std::string_view s) {
  // Three memchr scans (vectorised) beat one byte loop for the long values
  // this sees, such as signed Authorization headers.
  return s.find('\n') != std::string_view::npos ||
         s.find('\r') != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

std::optional<std::string> query_arg(std::string_view args,
                                     std::string_view name) {
  for (auto pair : split(args, '&')) {
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string()
                                          : url_decode(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::string url_decode(std::string_view s) {
  // Ids in request paths: nothing to decode (two memchr scans cost less
  // than a look at every character, or find_first_of's search of the set
  // per character).
  if (s.find('%') == std::string_view::npos &&
      s.find('+') == std::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(
          std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::optional<UrlParts> parse_url(std::string_view url) {
  // Every vendor call is parsed here (twice: signing, and the nginx layer),
  // so the pieces are found in one pass and each string is built once.
  UrlParts p;
  std::string_view rest;
  bool https = starts_with(url, "https://");
  if (https) {
    rest = url.substr(8);
  } else if (starts_with(url, "http://")) {
    rest = url.substr(7);
  } else {
    return std::nullopt;
  }
  p.scheme = https ? "https" : "http";
  p.port = https ? 443 : 80;
  size_t end = 0;
  while (end < rest.size() && rest[end] != '/' && rest[end] != '?' &&
         rest[end] != '#') {
    ++end;
  }
  std::string_view authority = rest.substr(0, end);
  rest.remove_prefix(end);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      has_control_chars(authority)) {
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else if (auto colon = authority.rfind(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    if (port_text.empty()) return std::nullopt;
  }
  if (!port_text.empty()) {
    auto port = parse_uint(port_text);
    if (!port || *port == 0 || *port > 65535) return std::nullopt;
    p.port = static_cast<uint16_t>(*port);
  }
  if (host.empty()) return std::nullopt;
  p.host.resize(host.size());
  for (size_t i = 0; i < host.size(); ++i) p.host[i] = ascii_lower(host[i]);
  if (p.port == (https ? 443 : 80)) {
    p.authority = p.host;
  } else {
    char digits[8];
    char* digits_end =
        std::to_chars(digits, digits + sizeof digits, p.port).ptr;
    p.authority.reserve(p.host.size() + 1 + (digits_end - digits));
    p.authority.append(p.host).append(1, ':').append(digits, digits_end);
  }
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto q = rest.find('?');
  std::string_view path =
      q == std::string_view::npos ? rest : rest.substr(0, q);
  if (path.empty()) {
    p.path = "/";
  } else {
    p.path.assign(path);
  }
  if (q != std::string_view::npos) p.query.assign(rest.substr(q + 1));
  return p;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto lower = ascii_lower;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace vgw
