#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "api/large_strings.hpp"

// The skeleton of a JSON body (large strings replaced by placeholders)
// parses exactly when the body does, and resolving its placeholders gives
// back the body's document. A tiny threshold makes every string "large".
namespace {

using Json = nlohmann::json;

Json restore(const Json& v, const vgw::LargeStrings& large) {
  if (v.is_string()) {
    return std::string(large.resolve(v.get_ref<const std::string&>()));
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& item : v) out.push_back(restore(item, large));
    return out;
  }
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [k, item] : v.items()) {
      out[std::string(large.resolve(k))] = restore(item, large);
    }
    return out;
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  vgw::LargeStrings large;
  vgw::JsonSkeleton skeleton = vgw::json_skeleton(body, 4, 32, large);
  if (skeleton.too_deep) return 0;
  Json original = Json::parse(body, nullptr, false);
  if (!skeleton.changed) return 0;
  Json parsed = Json::parse(skeleton.text, nullptr, false);
  if (original.is_discarded() != parsed.is_discarded()) __builtin_trap();
  if (original.is_discarded()) return 0;
  if (restore(parsed, large) != original) __builtin_trap();
  return 0;
}
