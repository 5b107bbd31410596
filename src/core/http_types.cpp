#include "http_types.hpp"

#include "util/strings.hpp"

namespace vgw {

std::optional<std::string_view> find_header(const Headers& headers,
                                            std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

size_t UpstreamCall::body_size() const {
  size_t n = body.size();
  for (const auto& insert : inserts) n += insert.bytes.size();
  return n;
}

std::string UpstreamCall::flat_body() const {
  std::string out;
  out.reserve(body_size());
  for_each_body_piece([&](std::string_view piece) { out.append(piece); });
  return out;
}

}  // namespace vgw
