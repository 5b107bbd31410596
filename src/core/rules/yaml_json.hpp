#pragma once

#include <initializer_list>
#include <string>

#include <yaml-cpp/yaml.h>

#include "rules/json_path.hpp"

namespace vgw {

// Plain YAML scalars are typed the YAML 1.2 core-schema way (5 is a number,
// true a bool, ~ null); quoted scalars are always strings.
Json yaml_to_json(const YAML::Node& node);

int yaml_line(const YAML::Node& node);
std::string yaml_string(const YAML::Node& node, const char* what);

// A mapping whose keys are all in `keys`; a RuleError at the first that is
// not (or when `map` is no mapping), naming `section`.
void only_keys(const YAML::Node& map, std::initializer_list<const char*> keys,
               const std::string& section);
// YAML text parsed, or a RuleError with the line of the syntax error.
YAML::Node load_yaml(const std::string& yaml_text);
// A configuration file's bytes, read while nginx loads its configuration.
std::string read_file(const std::string& path);

}  // namespace vgw
