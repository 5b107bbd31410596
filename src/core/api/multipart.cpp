#include "api/multipart.hpp"

#include "util/strings.hpp"

namespace vgw {
namespace {

// Reads a header parameter value (token or quoted-string) starting at `pos`.
std::string read_param_value(std::string_view s, size_t& pos) {
  std::string out;
  if (pos < s.size() && s[pos] == '"') {
    ++pos;
    while (pos < s.size() && s[pos] != '"') {
      // Browsers percent-encode quotes; some clients backslash-escape them.
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      out.push_back(s[pos++]);
    }
    if (pos < s.size()) ++pos;
  } else {
    while (pos < s.size() && s[pos] != ';') out.push_back(s[pos++]);
    out = std::string(trim(out));
  }
  return out;
}

// Finds `name=` in a header value like `form-data; name="a"; filename="b"`.
std::optional<std::string> header_param(std::string_view value,
                                        std::string_view name) {
  size_t pos = value.find(';');
  while (pos != std::string_view::npos && pos < value.size()) {
    ++pos;
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t'))
      ++pos;
    size_t eq = value.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = trim(value.substr(pos, eq - pos));
    pos = eq + 1;
    std::string v = read_param_value(value, pos);
    if (iequals(key, name)) return v;
    pos = value.find(';', pos);
  }
  return std::nullopt;
}

bool parse_part_headers(std::string_view headers, MultipartPart& part,
                        std::string& error) {
  bool has_disposition = false;
  for (auto line : split(headers, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = "malformed part header";
      return false;
    }
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      if (!starts_with(to_lower(value), "form-data")) {
        error = "part is not form-data";
        return false;
      }
      auto field = header_param(value, "name");
      if (!field) {
        error = "part without a name";
        return false;
      }
      part.name = *field;
      part.filename = header_param(value, "filename");
      has_disposition = true;
    } else if (iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (!has_disposition) {
    error = "part without Content-Disposition";
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto media = trim(content_type.substr(0, semi));
  if (!iequals(media, "multipart/form-data")) return std::nullopt;
  auto boundary = header_param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) {
    return std::nullopt;
  }
  return boundary;
}

MultipartResult parse_multipart(std::string_view body,
                                std::string_view boundary,
                                const MultipartLimits& limits) {
  MultipartResult result;
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may be preceded by a preamble; later ones always
  // start on a new line.
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) {
    result.error = "multipart boundary not found in body";
    return result;
  }
  if (pos != 0 && body.substr(pos - 1, 1) != "\n") {
    result.error = "multipart boundary not at the start of a line";
    return result;
  }
  const std::string next_delimiter = "\r\n" + delimiter;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return result;  // closing delimiter
    // Transport padding, then CRLF (bare LF tolerated).
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else if (body.substr(pos, 1) == "\n") {
      pos += 1;
    } else {
      result.error = "malformed multipart delimiter line";
      return result;
    }
    if (result.parts.size() >= limits.max_parts) {
      result.error = "too many multipart parts";
      return result;
    }
    size_t header_end = body.find("\r\n\r\n", pos);
    size_t header_skip = 4;
    size_t lf_end = body.find("\n\n", pos);
    if (lf_end != std::string_view::npos &&
        (header_end == std::string_view::npos || lf_end < header_end)) {
      header_end = lf_end;
      header_skip = 2;
    }
    if (header_end == std::string_view::npos ||
        header_end - pos > limits.max_part_header_bytes) {
      result.error = "malformed or oversized multipart part headers";
      return result;
    }
    MultipartPart part;
    if (!parse_part_headers(body.substr(pos, header_end - pos), part,
                            result.error)) {
      return result;
    }
    size_t data_start = header_end + header_skip;
    size_t data_end = body.find(next_delimiter, data_start);
    size_t after = data_end + next_delimiter.size();
    if (data_end == std::string_view::npos) {
      // Tolerate bare-LF line endings before the delimiter.
      data_end = body.find("\n" + delimiter, data_start);
      if (data_end == std::string_view::npos) {
        result.error = "multipart body is truncated (no closing boundary)";
        return result;
      }
      after = data_end + 1 + delimiter.size();
    }
    part.data = body.substr(data_start, data_end - data_start);
    result.parts.push_back(std::move(part));
    pos = after;
    if (pos > body.size()) {
      result.error = "multipart body is truncated";
      return result;
    }
  }
}

}  // namespace vgw
