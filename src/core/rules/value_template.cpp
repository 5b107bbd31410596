#include "rules/value_template.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "rules/media_filters.hpp"
#include "rules/rule_error.hpp"
#include "rules/yaml_json.hpp"
#include "util/strings.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace vgw {

struct ValueTemplate::Node {
  enum class Kind {
    literal,
    reference,
    interpolation,
    object,
    array,
    transform
  };
  enum class Conversion { none, string, integer, number, boolean, json };

  Kind kind = Kind::literal;
  Json literal;
  JsonPath reference;
  std::vector<std::variant<std::string, JsonPath>> pieces;
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> members;
  // `members` in the order a Json object keeps its keys (byte order), for
  // writing a body straight to text; empty when two members share a key
  // (the last one present wins, as in a Json object).
  std::vector<size_t> written_order;
  // Each member's key as written in JSON text, quotes and colon included
  // (escaped once, here, not on every request).
  std::vector<std::string> written_keys;
  std::vector<std::unique_ptr<Node>> items;

  // transform
  std::unique_ptr<Node> each;  // $each: render `value` once per element
  std::unique_ptr<Node> value;
  Expression when;
  std::optional<Json> fallback;  // $default
  std::vector<std::pair<std::string, Json>> map;
  std::optional<Json> map_else;
  Conversion as = Conversion::none;
};

namespace {

using Node = ValueTemplate::Node;
using NodePtr = std::unique_ptr<Node>;
using Roots = std::set<std::string>;

// What a template may read where it is compiled: its section's names, and
// whether `item` (inside an $each over ${images}) is an image.
struct Names {
  const Roots& roots;
  ItemMedia item = ItemMedia::no;
  std::set<std::string>* filters = nullptr;  // every filter read, collected
  std::set<std::string>* read = nullptr;     // every name read, collected
};

void check_root(const std::string& root, const Roots& allowed, int line) {
  if (!allowed.count(root)) {
    std::string names;
    for (const auto& r : allowed) names += (names.empty() ? "" : ", ") + r;
    throw RuleError("unknown name '" + root + "' here (known: " + names + ")",
                    line);
  }
}

NodePtr compile_string(const std::string& text, const Names& names, int line) {
  auto n = std::make_unique<Node>();
  if (text.find("${") == std::string::npos) {
    n->literal = text;
    return n;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    if (open == std::string::npos) {
      n->pieces.emplace_back(text.substr(pos));
      break;
    }
    if (open > pos) n->pieces.emplace_back(text.substr(pos, open - pos));
    size_t close = text.find('}', open);
    if (close == std::string::npos) {
      throw RuleError("unterminated ${ in '" + text + "'", line);
    }
    JsonPath path;
    try {
      path = JsonPath::parse(text.substr(open + 2, close - open - 2));
      check_media_path(path, names.item);
      if (const std::string* filter = path.filter()) {
        names.filters->insert(*filter);
      }
      names.read->insert(path.root());
    } catch (const RuleError& e) {
      throw RuleError(e.what(), line);
    }
    check_root(path.root(), names.roots, line);
    n->pieces.emplace_back(std::move(path));
    pos = close + 1;
  }
  if (n->pieces.size() == 1 && std::holds_alternative<JsonPath>(n->pieces[0])) {
    n->kind = Node::Kind::reference;
    n->reference = std::get<JsonPath>(n->pieces[0]);
    n->pieces.clear();
  } else {
    n->kind = Node::Kind::interpolation;
  }
  return n;
}

NodePtr compile_node(const YAML::Node& y, const Names& names);

Node::Conversion parse_conversion(const YAML::Node& y) {
  std::string s = yaml_string(y, "$as");
  if (s == "string") return Node::Conversion::string;
  if (s == "int" || s == "integer") return Node::Conversion::integer;
  if (s == "number") return Node::Conversion::number;
  if (s == "bool" || s == "boolean") return Node::Conversion::boolean;
  if (s == "json") return Node::Conversion::json;
  throw RuleError("$as must be string, int, number, bool or json",
                  yaml_line(y));
}

NodePtr compile_transform(const YAML::Node& y, const Names& names) {
  auto n = std::make_unique<Node>();
  n->kind = Node::Kind::transform;
  Roots item_roots = names.roots;
  Names item_names{item_roots, names.item, names.filters, names.read};
  if (y["$each"]) {
    n->each = compile_node(y["$each"], names);
    item_roots.insert({"item", "index"});
    bool over_images = n->each->kind == Node::Kind::reference &&
                       n->each->reference.size() == 1 &&
                       n->each->reference.root() == "images";
    item_names.item = over_images ? ItemMedia::yes : ItemMedia::no;
  }
  for (const auto& kv : y) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "$each") continue;
    if (key == "$value") {
      n->value = compile_node(v, item_names);
    } else if (key == "$when") {
      try {
        n->when = Expression::compile(yaml_string(v, "$when"));
      } catch (const RuleError& e) {
        throw RuleError(e.what(), yaml_line(v));
      }
      for (const auto& r : n->when.roots()) {
        check_root(r, names.roots, yaml_line(v));
        names.read->insert(r);
      }
    } else if (key == "$default") {
      n->fallback = yaml_to_json(v);
    } else if (key == "$map") {
      if (!v.IsMap()) throw RuleError("$map must be a mapping", yaml_line(v));
      for (const auto& m : v) {
        n->map.emplace_back(m.first.Scalar(), yaml_to_json(m.second));
      }
    } else if (key == "$else") {
      n->map_else = yaml_to_json(v);
    } else if (key == "$as") {
      n->as = parse_conversion(v);
    } else {
      throw RuleError("unknown transform key '" + key +
                          "' (use $value, $when, $default, $map, $else, $as, "
                          "$each)",
                      yaml_line(kv.first));
    }
  }
  if (!n->value && !n->fallback) {
    throw RuleError("a transform needs $value or $default", yaml_line(y));
  }
  if (n->each && (!n->value || n->fallback || !n->map.empty() ||
                  n->as != Node::Conversion::none)) {
    throw RuleError("$each takes $value (and optionally $when) only",
                    yaml_line(y));
  }
  return n;
}

bool is_transform(const YAML::Node& y) {
  if (!y.IsMap() || y.size() == 0) return false;
  for (const auto& kv : y) {
    if (!starts_with(kv.first.Scalar(), "$")) return false;
  }
  return true;
}

NodePtr compile_node(const YAML::Node& y, const Names& names) {
  if (is_transform(y)) return compile_transform(y, names);
  auto n = std::make_unique<Node>();
  if (y.IsMap()) {
    n->kind = Node::Kind::object;
    for (const auto& kv : y) {
      const std::string key = kv.first.Scalar();
      if (starts_with(key, "$")) {
        throw RuleError("'" + key + "' mixes transform keys with body keys",
                        yaml_line(kv.first));
      }
      n->members.emplace_back(key, compile_node(kv.second, names));
    }
    std::vector<size_t> order(n->members.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return n->members[a].first < n->members[b].first;
    });
    bool unique =
        std::adjacent_find(order.begin(), order.end(), [&](size_t a, size_t b) {
          return n->members[a].first == n->members[b].first;
        }) == order.end();
    if (unique) n->written_order = std::move(order);
    for (const auto& member : n->members) {
      std::string written;
      append_json_string(written, member.first);
      n->written_keys.push_back(written + ':');
    }
    return n;
  }
  if (y.IsSequence()) {
    n->kind = Node::Kind::array;
    for (const auto& item : y) n->items.push_back(compile_node(item, names));
    return n;
  }
  if (y.IsScalar() && y.Tag() != "!") {
    Json typed = yaml_to_json(y);
    if (!typed.is_string()) {
      n->literal = typed;
      return n;
    }
  }
  if (y.IsScalar()) return compile_string(y.Scalar(), names, yaml_line(y));
  n->literal = nullptr;
  return n;
}

std::optional<Json> convert(Json v, Node::Conversion as) {
  switch (as) {
    case Node::Conversion::none:
      return v;
    case Node::Conversion::string:
      return Json(json_text(v));
    case Node::Conversion::integer: {
      auto d = json_number(v);
      if (!d) return std::nullopt;
      return Json(static_cast<int64_t>(std::llround(*d)));
    }
    case Node::Conversion::number: {
      auto d = json_number(v);
      if (!d) return std::nullopt;
      if (std::floor(*d) == *d && std::fabs(*d) < 1e15) {
        return Json(static_cast<int64_t>(*d));
      }
      return Json(*d);
    }
    case Node::Conversion::boolean:
      if (v.is_string()) {
        auto s = to_lower(v.get<std::string>());
        if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "0" || s == "no" || s == "off") return false;
        return std::nullopt;
      }
      return json_truthy(v);
    case Node::Conversion::json:
      if (v.is_string()) {
        Json parsed = read_json(v.get<std::string>());
        if (parsed.is_discarded()) return std::nullopt;
        return parsed;
      }
      return v;
  }
  return v;
}

// `item` and `index` inside an $each, everything else from the outer scope.
class ItemScope : public Scope {
 public:
  ItemScope(const Scope& outer, const Json& item, size_t index)
      : outer_(outer), names_{{"item", item}, {"index", index}} {}
  const Json* lookup(const JsonPath& path) const override {
    if (path.root() == "item" || path.root() == "index") {
      return path.find(names_);
    }
    return outer_.lookup(path);
  }
  std::optional<std::string_view> text(const JsonPath& path) const override {
    if (path.root() == "item" || path.root() == "index") return std::nullopt;
    return outer_.text(path);
  }

 private:
  const Scope& outer_;
  Json names_;
};

std::optional<Json> render_node(const Node& n, const Scope& scope);
bool write_rendered(const Node& n, const Scope& scope, std::string& out);
bool write_transform(const Node& n, const Scope& scope, std::string& out);

// "text ${name} text": nullopt when a name is missing or null.
std::optional<std::string> interpolate(const Node& n, const Scope& scope) {
  std::string out;
  out.reserve(64);  // a path or a header value: one allocation, not three
  for (const auto& piece : n.pieces) {
    if (const auto* s = std::get_if<std::string>(&piece)) {
      out += *s;
      continue;
    }
    const auto& path = std::get<JsonPath>(piece);
    if (auto text = scope.text(path)) {
      out += *text;
      continue;
    }
    const Json* v = scope.lookup(path);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (v->is_string()) {
      out += v->get_ref<const std::string&>();
    } else {
      out += json_text(*v);
    }
  }
  return out;
}

// A missing or empty list renders as absent, so `images` is simply not sent
// for text-to-video; inside a YAML list the elements are spliced in place.
std::optional<Json> render_each(const Node& n, const Scope& scope) {
  auto list = render_node(*n.each, scope);
  if (!list || !list->is_array() || list->empty()) return std::nullopt;
  Json out = Json::array();
  for (size_t i = 0; i < list->size(); ++i) {
    ItemScope item(scope, (*list)[i], i);
    auto v = render_node(*n.value, item);
    if (v) out.push_back(std::move(*v));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<Json> render_node(const Node& n, const Scope& scope) {
  switch (n.kind) {
    case Node::Kind::literal:
      return n.literal;
    case Node::Kind::reference: {
      const Json* v = scope.lookup(n.reference);
      if (v == nullptr || v->is_null()) return std::nullopt;
      return *v;
    }
    case Node::Kind::interpolation: {
      auto text = interpolate(n, scope);
      if (!text) return std::nullopt;
      return Json(std::move(*text));
    }
    case Node::Kind::object: {
      Json o = Json::object();
      for (const auto& [key, member] : n.members) {
        auto v = render_node(*member, scope);
        if (v) o[key] = std::move(*v);
      }
      return o;
    }
    case Node::Kind::array: {
      Json a = Json::array();
      for (const auto& item : n.items) {
        auto v = render_node(*item, scope);
        if (!v) continue;
        if (item->each) {
          for (auto& e : *v) a.push_back(std::move(e));
        } else {
          a.push_back(std::move(*v));
        }
      }
      return a;
    }
    case Node::Kind::transform: {
      if (!n.when.empty() && !n.when.test(scope)) return std::nullopt;
      if (n.each) return render_each(n, scope);
      std::optional<Json> v;
      if (n.value) v = render_node(*n.value, scope);
      if (!v || v->is_null()) {
        if (!n.fallback) return std::nullopt;
        v = n.fallback;
      }
      if (!n.map.empty()) {
        std::string key = json_text(*v);
        bool matched = false;
        for (const auto& [from, to] : n.map) {
          if (from == key) {
            v = to;
            matched = true;
            break;
          }
        }
        if (!matched && n.map_else) v = n.map_else;
      }
      return convert(std::move(*v), n.as);
    }
  }
  return std::nullopt;
}

bool write_node(const Node& n, const Scope& scope, std::string& out);

// A member (with its key) or an item, after a comma unless it is the
// first written; one that renders nothing leaves nothing behind.
void write_item(const Node& n, const std::string* written_key,
                const Scope& scope, std::string& out, bool& first) {
  size_t mark = out.size();
  if (!first) out.push_back(',');
  if (written_key != nullptr) out.append(*written_key);
  if (write_node(n, scope, out)) {
    first = false;
  } else {
    out.resize(mark);
  }
}

// Writes what append_json() writes for render_node()'s value, without
// building the objects and arrays: a vendor body is written member by
// member as it renders. False, with nothing written, when it renders
// nothing.
bool write_node(const Node& n, const Scope& scope, std::string& out) {
  switch (n.kind) {
    case Node::Kind::reference: {
      if (auto text = scope.text(n.reference)) {
        append_json_string(out, *text);
        return true;
      }
      const Json* v = scope.lookup(n.reference);
      if (v == nullptr || v->is_null()) return false;
      append_json(out, *v);
      return true;
    }
    case Node::Kind::interpolation: {
      auto text = interpolate(n, scope);
      if (!text) return false;
      append_json_string(out, *text);
      return true;
    }
    case Node::Kind::object: {
      if (n.written_order.size() != n.members.size()) break;
      out.push_back('{');
      bool first = true;
      for (size_t i : n.written_order) {
        write_item(*n.members[i].second, &n.written_keys[i], scope, out, first);
      }
      out.push_back('}');
      return true;
    }
    case Node::Kind::array: {
      // $each items are spliced in: those render whole (below).
      for (const auto& item : n.items) {
        if (item->each) return write_rendered(n, scope, out);
      }
      out.push_back('[');
      bool first = true;
      for (const auto& item : n.items) {
        write_item(*item, nullptr, scope, out, first);
      }
      out.push_back(']');
      return true;
    }
    case Node::Kind::transform:
      return write_transform(n, scope, out);
    case Node::Kind::literal:
      break;
  }
  return write_rendered(n, scope, out);
}

// A transform that passes a value on, maps it or turns it into a string,
// written from the value where it lives: render_node() copies it at every
// step. Anything else renders whole.
bool write_transform(const Node& n, const Scope& scope, std::string& out) {
  using Conversion = Node::Conversion;
  if (n.each || (n.as != Conversion::none && n.as != Conversion::string)) {
    return write_rendered(n, scope, out);
  }
  if (!n.when.empty() && !n.when.test(scope)) return false;
  // The value is a string the scope holds (`text`), or `v`.
  std::optional<std::string_view> text;
  const Json* v = nullptr;
  std::optional<Json> rendered;
  if (n.value && n.value->kind == Node::Kind::reference) {
    text = scope.text(n.value->reference);
    if (!text) v = scope.lookup(n.value->reference);
  } else if (n.value) {
    rendered = render_node(*n.value, scope);
    if (rendered) v = &*rendered;
  }
  if (!text && (v == nullptr || v->is_null())) {
    if (!n.fallback) return false;
    v = &*n.fallback;
  }
  if (!n.map.empty()) {
    std::string converted;
    std::string_view key;
    if (text) {
      key = *text;
    } else if (v->is_string()) {
      key = v->get_ref<const std::string&>();
    } else {
      converted = json_text(*v);
      key = converted;
    }
    auto to = std::find_if(n.map.begin(), n.map.end(), [&](const auto& entry) {
      return entry.first == key;
    });
    if (to != n.map.end()) {
      v = &to->second;
      text.reset();
    } else if (n.map_else) {
      v = &*n.map_else;
      text.reset();
    }
  }
  if (text) {
    append_json_string(out, *text);
  } else if (n.as == Conversion::string && !v->is_string()) {
    append_json_string(out, json_text(*v));
  } else {
    append_json(out, *v);
  }
  return true;
}

bool write_rendered(const Node& n, const Scope& scope, std::string& out) {
  auto v = render_node(n, scope);
  if (!v) return false;
  append_json(out, *v);
  return true;
}

}  // namespace

ValueTemplate::ValueTemplate() = default;
ValueTemplate::~ValueTemplate() = default;
ValueTemplate::ValueTemplate(ValueTemplate&&) noexcept = default;
ValueTemplate& ValueTemplate::operator=(ValueTemplate&&) noexcept = default;

ValueTemplate ValueTemplate::compile(const YAML::Node& node,
                                     const std::set<std::string>& roots) {
  ValueTemplate t;
  t.root_ =
      compile_node(node, Names{roots, ItemMedia::no, &t.filters_, &t.read_});
  return t;
}

ValueTemplate ValueTemplate::from_string(const std::string& text,
                                         const std::set<std::string>& roots,
                                         int line) {
  ValueTemplate t;
  t.root_ = compile_string(
      text, Names{roots, ItemMedia::no, &t.filters_, &t.read_}, line);
  return t;
}

std::optional<Json> ValueTemplate::render(const Scope& scope) const {
  if (!root_) return std::nullopt;
  return render_node(*root_, scope);
}

bool ValueTemplate::render_json(const Scope& scope, std::string& out) const {
  return root_ && write_node(*root_, scope, out);
}

std::optional<std::string> ValueTemplate::render_text(
    const Scope& scope) const {
  // Paths and headers ("/v1/videos/${kind}/${task_id}") go straight to
  // text.
  if (root_ && root_->kind == Node::Kind::interpolation) {
    auto text = interpolate(*root_, scope);
    if (!text || text->empty()) return std::nullopt;
    return text;
  }
  auto v = render(scope);
  if (!v || v->is_null()) return std::nullopt;
  std::string s = json_text(*v);
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace vgw
