#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "rules/json_path.hpp"

namespace vgw {

// Plain YAML scalars are typed the YAML 1.2 core-schema way (5 is a number,
// true a bool, ~ null); quoted scalars are always strings.
Json yaml_to_json(const YAML::Node& node);

int yaml_line(const YAML::Node& node);
std::string yaml_string(const YAML::Node& node, const char* what);

}  // namespace vgw
