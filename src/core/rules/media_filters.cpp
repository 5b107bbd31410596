#include "rules/media_filters.hpp"

#include <array>
#include <variant>

#include "rules/rule_error.hpp"

namespace vgw {

namespace {

constexpr std::array<std::string_view, 8> kFilters = {
    "url",  "base64",   "data_url",      "bytes",
    "mime", "filename", "url_or_base64", "url_or_data_url"};

bool is_media_root(const std::string& root, ItemMedia item) {
  return root == "image" || root == "images" || root == "video" ||
         (root == "item" && item != ItemMedia::no);
}

}  // namespace

std::string media_key(std::string_view filter) {
  std::string key = "|";
  key += filter;
  return key;
}

bool is_media_filter(std::string_view filter) {
  for (auto f : kFilters) {
    if (f == filter) return true;
  }
  return false;
}

const char* media_filter_names() {
  return "url, base64, data_url, bytes, mime, filename, url_or_base64, "
         "url_or_data_url";
}

void check_media_path(const JsonPath& path, ItemMedia item) {
  const std::string* filter = path.filter();
  const std::string& root = path.root();
  if (filter) {
    if (!is_media_filter(*filter)) {
      throw RuleError("unknown filter '|" + *filter + "' in '" + path.text() +
                      "' (known: " + media_filter_names() + ")");
    }
    if (!is_media_root(root, item)) {
      throw RuleError("'|" + *filter + "' in '" + path.text() +
                      "' applies to an upload (image, images[N], item of an "
                      "$each over images, video), not to '" +
                      root + "'");
    }
    // image|f, images[N]|f, item|f: nothing between the image and its filter.
    size_t expected = root == "images" ? 3 : 2;
    if (path.size() != expected || (root == "images" && !path.is_index(1))) {
      throw RuleError("'" + path.text() +
                      "': a filter follows the image itself (image|" + *filter +
                      ", images[1]|" + *filter + ")");
    }
    return;
  }
  if (!is_media_root(root, item)) return;
  if (root == "item" && item == ItemMedia::maybe) return;
  size_t field = root == "images" ? 2 : 1;
  if (path.size() > field && !path.is_index(field)) {
    std::string hint = root == "images" ? "images[1]" : root;
    throw RuleError("'" + path.text() +
                    "': an upload's encodings are filters, write ${" + hint +
                    "|base64} (known: " + media_filter_names() + ")");
  }
}

}  // namespace vgw
