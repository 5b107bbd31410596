#include "rules/yaml_json.hpp"

#include <fstream>
#include <sstream>

#include <cstdlib>

#include "rules/rule_error.hpp"

namespace vgw {
namespace {

bool is_integer(const std::string& s) {
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool is_float(const std::string& s) {
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digits = false, dot = false, exp = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits && !exp) {
      exp = true;
      digits = false;
      if (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ++i;
    } else {
      return false;
    }
  }
  return digits;
}

Json typed_scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (is_integer(s))
    return static_cast<int64_t>(std::strtoll(s.c_str(), nullptr, 10));
  if (is_float(s)) return std::strtod(s.c_str(), nullptr);
  return s;
}

}  // namespace

int yaml_line(const YAML::Node& node) { return node.Mark().line + 1; }

Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return typed_scalar(node);
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& item : node) a.push_back(yaml_to_json(item));
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : node) {
        o[kv.first.Scalar()] = yaml_to_json(kv.second);
      }
      return o;
    }
  }
  return nullptr;
}

std::string yaml_string(const YAML::Node& node, const char* what) {
  if (!node.IsScalar()) {
    throw RuleError(std::string(what) + " must be a string", yaml_line(node));
  }
  return node.Scalar();
}

void only_keys(const YAML::Node& map, std::initializer_list<const char*> keys,
               const std::string& section) {
  if (!map.IsMap()) {
    throw RuleError(section + " must be a mapping", yaml_line(map));
  }
  for (const auto& kv : map) {
    const std::string& k = kv.first.Scalar();
    bool known = false;
    for (const char* allowed : keys) known = known || k == allowed;
    if (!known) {
      std::string list;
      for (const char* allowed : keys) {
        list += (list.empty() ? "" : ", ") + std::string(allowed);
      }
      throw RuleError(
          "unknown key '" + k + "' in " + section + " (expected " + list + ")",
          yaml_line(kv.first));
    }
  }
}

YAML::Node load_yaml(const std::string& yaml_text) {
  try {
    return YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw RuleError(e.msg, e.mark.line + 1);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuleError("cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vgw
