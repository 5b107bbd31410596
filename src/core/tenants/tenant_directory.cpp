#include "tenants/tenant_directory.hpp"

#include "crypto/crypto.hpp"
#include "rules/rule_error.hpp"
#include "rules/yaml_json.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr std::string_view kDigestPrefix = "sha256:";

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "sha256:<64 hex digits>" as 32 raw bytes.
std::string key_digest(const YAML::Node& node) {
  std::string text = yaml_string(node, "a key");
  std::string_view hex = text;
  if (!starts_with(hex, kDigestPrefix) ||
      hex.size() != kDigestPrefix.size() + 64) {
    throw RuleError(
        "a key must be written as sha256:<64 hex digits>, the SHA-256 of the "
        "key (printf %s \"$KEY\" | sha256sum), never the key itself",
        yaml_line(node));
  }
  hex.remove_prefix(kDigestPrefix.size());
  std::string raw(32, '\0');
  for (size_t i = 0; i < 32; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      throw RuleError("a key's digest must be hexadecimal", yaml_line(node));
    }
    raw[i] = static_cast<char>(hi * 16 + lo);
  }
  return raw;
}

std::vector<std::string> string_list(const YAML::Node& node, const char* what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(yaml_string(node, what));
    return out;
  }
  if (!node.IsSequence()) {
    throw RuleError(std::string(what) + " must be a list", yaml_line(node));
  }
  for (const auto& item : node) out.push_back(yaml_string(item, what));
  return out;
}

// A limit: a whole number from 1 up, or absent (no limit).
int64_t limit_value(const YAML::Node& node) {
  if (!node) return 0;
  Json v = yaml_to_json(node);
  if (!v.is_number_integer() || v.get<int64_t>() < 1) {
    throw RuleError("a limit must be a whole number of at least 1",
                    yaml_line(node));
  }
  return v.get<int64_t>();
}

}  // namespace

bool Tenant::may_use(std::string_view model) const {
  if (models.empty()) return true;
  for (const auto& pattern : models) {
    if (glob_match(pattern, model)) return true;
  }
  return false;
}

TenantDirectory TenantDirectory::parse(const std::string& yaml_text) {
  YAML::Node doc = load_yaml(yaml_text);
  TenantDirectory dir;
  if (!doc || doc.IsNull()) return dir;  // no tenants yet: nobody gets in
  try {
    only_keys(doc, {"tenants"}, "the keys file");
    YAML::Node tenants = doc["tenants"];
    if (tenants && !tenants.IsNull() && !tenants.IsSequence()) {
      throw RuleError("'tenants' must be a list", yaml_line(tenants));
    }
    for (const auto& entry : tenants) {
      only_keys(entry, {"name", "keys", "models", "disabled", "limits"},
                "a tenant");
      if (!entry["name"]) {
        throw RuleError("a tenant needs a 'name'", yaml_line(entry));
      }
      Tenant t;
      t.name = yaml_string(entry["name"], "a tenant's name");
      if (!valid_name(t.name)) {
        throw RuleError("tenant name '" + t.name.substr(0, 80) +
                            "' must be 1-64 letters, digits, '-', '_' or '.'",
                        yaml_line(entry["name"]));
      }
      if (dir.find_by_name(t.name)) {
        throw RuleError("tenant '" + t.name + "' is listed twice",
                        yaml_line(entry["name"]));
      }
      if (entry["models"]) t.models = string_list(entry["models"], "models");
      if (entry["disabled"]) {
        Json disabled = yaml_to_json(entry["disabled"]);
        if (!disabled.is_boolean()) {
          throw RuleError("'disabled' must be true or false",
                          yaml_line(entry["disabled"]));
        }
        t.disabled = disabled.get<bool>();
      }
      if (YAML::Node limits = entry["limits"]) {
        only_keys(limits,
                  {"creates_per_minute", "video_seconds_per_day",
                   "video_seconds_per_month", "concurrent_tasks",
                   "concurrent_task_max_minutes"},
                  "a tenant's limits");
        t.limits.creates_per_minute = limit_value(limits["creates_per_minute"]);
        t.limits.video_seconds_per_day =
            limit_value(limits["video_seconds_per_day"]);
        t.limits.video_seconds_per_month =
            limit_value(limits["video_seconds_per_month"]);
        t.limits.concurrent_tasks = limit_value(limits["concurrent_tasks"]);
        if (YAML::Node age = limits["concurrent_task_max_minutes"]) {
          t.limits.concurrent_task_max_minutes = limit_value(age);
          if (t.limits.concurrent_task_max_minutes > 7 * 24 * 60) {
            throw RuleError("'concurrent_task_max_minutes' is at most a week",
                            yaml_line(age));
          }
        }
      }
      size_t index = dir.tenants_.size();
      if (YAML::Node keys = entry["keys"]) {
        if (!keys.IsSequence()) {
          throw RuleError("'keys' must be a list", yaml_line(keys));
        }
        for (const auto& key : keys) {
          if (!dir.by_digest_.emplace(key_digest(key), index).second) {
            throw RuleError("this key is listed twice", yaml_line(key));
          }
        }
      }
      dir.tenants_.push_back(std::move(t));
    }
  } catch (const YAML::Exception& e) {
    throw RuleError(e.msg, e.mark.line + 1);
  }
  return dir;
}

TenantDirectory TenantDirectory::load(const std::string& path) {
  return parse(read_file(path));
}

const Tenant* TenantDirectory::find_by_key(std::string_view api_key) const {
  auto it = by_digest_.find(crypto::sha256(api_key));
  return it == by_digest_.end() ? nullptr : &tenants_[it->second];
}

const Tenant* TenantDirectory::find_by_name(std::string_view name) const {
  for (const auto& t : tenants_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace vgw
