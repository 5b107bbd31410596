#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vgw {

// A customer of the gateway: the operator's own, or a relay's.
// What a tenant may use (0: no limit), checked before any vendor call.
struct TenantLimits {
  int64_t creates_per_minute = 0;
  int64_t video_seconds_per_day = 0;    // UTC days
  int64_t video_seconds_per_month = 0;  // UTC calendar months
  // Tasks created and not yet seen finished; a task the gateway never sees
  // finish stops counting after concurrent_task_max_minutes (to 1.5× that).
  int64_t concurrent_tasks = 0;
  int64_t concurrent_task_max_minutes = 120;
  bool any() const {
    return creates_per_minute || video_seconds_per_day ||
           video_seconds_per_month || concurrent_tasks;
  }
};

struct Tenant {
  std::string name;
  TenantLimits limits;
  // Model globs the tenant may create with; empty: every model.
  std::vector<std::string> models;
  bool disabled = false;

  bool may_use(std::string_view model) const;
};

// The tenants of a keys file (vgw_client_keys), read when nginx loads its
// configuration. Keys are stored only as SHA-256 digests: the file, a
// leaked copy of it or a core dump does not hold a usable key.
//
//   tenants:
//     - name: acme
//       keys: [sha256:9f86d0818...]      # printf %s "$KEY" | sha256sum
//       models: ["kling-*", sora-2]      # optional; default every model
//       disabled: false                  # optional
//       limits: {creates_per_minute: 10, video_seconds_per_day: 600,
//                video_seconds_per_month: 9000, concurrent_tasks: 5,
//                concurrent_task_max_minutes: 120}    # optional
class TenantDirectory {
 public:
  // Throws RuleError with the line of a bad entry.
  static TenantDirectory parse(const std::string& yaml_text);
  static TenantDirectory load(const std::string& path);

  // The tenant one of whose keys is `api_key`, or nullptr.
  const Tenant* find_by_key(std::string_view api_key) const;
  const Tenant* find_by_name(std::string_view name) const;
  size_t size() const { return tenants_.size(); }

 private:
  std::vector<Tenant> tenants_;
  std::unordered_map<std::string, size_t> by_digest_;  // raw SHA-256
};

}  // namespace vgw
