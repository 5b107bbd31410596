#include "translate/status_cache.hpp"

namespace vgw {

const std::string* StatusCache::find(const std::string& key,
                                     int64_t now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || now - it->second.at >= ttl_) return nullptr;
  return &it->second.body;
}

void StatusCache::put(const std::string& key, std::string body, int64_t now) {
  if (entries_.size() >= capacity_) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now - it->second.at >= ttl_ ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_[key] = Entry{now, std::move(body)};
}

}  // namespace vgw
