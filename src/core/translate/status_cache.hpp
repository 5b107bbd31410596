#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace vgw {

// Recent vendor status replies, per worker, so that a client polling one
// video many times a second (or many clients polling it) costs the vendor
// at most one status call per `ttl` seconds. Off when ttl is 0. Bounded:
// past `capacity` entries, stale ones are dropped, then everything.
// Downloads and callbacks never read it: they need the vendor's answer now.
class StatusCache {
 public:
  void set_ttl(int64_t seconds) { ttl_ = seconds; }
  bool enabled() const { return ttl_ > 0; }
  int64_t ttl() const { return ttl_; }
  const std::string* find(const std::string& key, int64_t now) const;
  void put(const std::string& key, std::string body, int64_t now);

 private:
  struct Entry {
    int64_t at;
    std::string body;
  };
  std::unordered_map<std::string, Entry> entries_;
  int64_t ttl_ = 0;
  size_t capacity_ = 10000;
};

}  // namespace vgw
