#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/json_document.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

// The module's JSON reader against nlohmann's parser, the reference it
// replaces on the request path: the same documents accepted, the same
// values of the same types, except that documents nested deeper than
// kMaxJsonDepth are refused, and so is anything after a NUL byte that
// nlohmann takes for the end of the input. The flat document
// (util/json_document) accepts what the reader accepts and holds the same
// values, whole and member by member. Documents read are also written back
// by the module's writer, which must match nlohmann's serializer.
namespace {

using Json = nlohmann::json;

bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::object: {
      if (a.size() != b.size()) return false;
      auto i = a.begin();
      auto j = b.begin();
      for (; i != a.end(); ++i, ++j) {
        if (i.key() != j.key() || !same(*i, *j)) return false;
      }
      return true;
    }
    case Json::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t k = 0; k < a.size(); ++k) {
        if (!same(a[k], b[k])) return false;
      }
      return true;
    case Json::value_t::number_float: {
      double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default:
      return a == b;
  }
}

int depth(const Json& v) {
  if (!v.is_structured()) return 0;
  int deepest = 0;
  for (const auto& item : v) deepest = std::max(deepest, depth(item));
  return deepest + 1;
}

}  // namespace

// Every value of `dom` found in `doc` at node `n`, by key and by index.
void same_members(const vgw::JsonDocument& doc, vgw::JsonDocument::Node n,
                  const vgw::Json& dom, int depth) {
  if (depth > 8) return;
  if (dom.is_object()) {
    if (doc.member(n, "\x01no such key") != vgw::JsonDocument::kNoNode)
      __builtin_trap();
    for (const auto& [key, value] : dom.items()) {
      auto m = doc.member(n, key);
      if (m == vgw::JsonDocument::kNoNode ||
          doc.value(m).dump() != value.dump())
        __builtin_trap();
      same_members(doc, m, value, depth + 1);
    }
  } else if (dom.is_array()) {
    if (doc.element(n, dom.size()) != vgw::JsonDocument::kNoNode)
      __builtin_trap();
    for (size_t i = 0; i < dom.size(); ++i) {
      auto e = doc.element(n, i);
      if (e == vgw::JsonDocument::kNoNode ||
          doc.value(e).dump() != dom[i].dump())
        __builtin_trap();
      same_members(doc, e, dom[i], depth + 1);
    }
  } else if (doc.member(n, "") != vgw::JsonDocument::kNoNode ||
             doc.element(n, 0) != vgw::JsonDocument::kNoNode) {
    __builtin_trap();
  }
}

void same_document(std::string_view text) {
  vgw::Json dom = vgw::read_json(text);
  vgw::JsonDocument doc(text);
  if (doc.ok() == dom.is_discarded()) __builtin_trap();
  if (!doc.ok()) return;
  if (doc.copy(doc.root()).dump() != dom.dump()) __builtin_trap();
  same_members(doc, doc.root(), dom, 0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  same_document(text);
  Json ours = vgw::read_json(text);
  Json theirs = Json::parse(text, nullptr, false);
  if (size_t nul = text.find('\0');
      nul != std::string_view::npos && !theirs.is_discarded()) {
    // nlohmann stopped at the NUL (inside a string it is an error).
    if (!ours.is_discarded()) __builtin_trap();
    ours = vgw::read_json(text.substr(0, nul));
  }
  if (theirs.is_discarded()) {
    if (!ours.is_discarded()) __builtin_trap();
    return 0;
  }
  if (depth(theirs) > vgw::kMaxJsonDepth) {
    if (!ours.is_discarded()) __builtin_trap();
    return 0;
  }
  if (ours.is_discarded() || !same(ours, theirs)) __builtin_trap();
  // And the writer writes what nlohmann's serializer writes.
  std::string written;
  vgw::append_json(written, theirs);
  if (written != theirs.dump(-1, ' ', false, Json::error_handler_t::replace)) {
    __builtin_trap();
  }
  return 0;
}
