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

}  // namespace vgw
