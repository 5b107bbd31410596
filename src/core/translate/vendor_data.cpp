#include "translate/vendor_data.hpp"

#include "util/strings.hpp"

namespace vgw {

std::string client_safe_text(const Vendor& vendor, std::string_view text,
                             size_t max_bytes) {
  // Redaction runs on a bounded prefix: a megabyte of vendor text is never
  // scanned (or copied) whole.
  std::string out = vendor.redact(std::string(text.substr(0, max_bytes * 2)));
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (out.size() > max_bytes || text.size() > max_bytes * 2) {
    size_t cut = std::min(out.size(), max_bytes);
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::optional<std::string> task_id_problem(std::string_view id,
                                           bool path_like) {
  if (id.empty()) return "it is empty";
  if (id.size() > 512) return "it is longer than 512 characters";
  for (char c : id) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                 c == '~' || c == ':' || c == '@' || c == '=' || c == ',';
    if (!plain && !(c == '/' && path_like)) {
      return "it contains characters that cannot go into a URL unescaped";
    }
  }
  for (auto segment : split(id, '/')) {
    if (segment.empty() || segment == "." || segment == "..") {
      return "it contains an empty, '.' or '..' path segment";
    }
  }
  return std::nullopt;
}

}  // namespace vgw
