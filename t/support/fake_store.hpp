#pragma once

#include <map>
#include <string>

#include "store/store_command.hpp"
#include "util/strings.hpp"

namespace vgw::testing {

// The store as the nginx layer runs it, in a map (no expiry: tests are
// shorter than any TTL).
struct FakeStore {
  std::map<std::string, std::string> entries;
  bool reachable = true;

  StoreReply run(const StoreCommand& c) {
    StoreReply r;
    if (!reachable) return r;
    r.ok = true;
    auto it = entries.find(c.key);
    switch (c.op) {
      case StoreCommand::Op::get:
        if (it != entries.end()) r.value = it->second;
        break;
      case StoreCommand::Op::del:
        r.done = it != entries.end();
        if (it != entries.end()) entries.erase(it);
        break;
      case StoreCommand::Op::set:
        if (it != entries.end() && c.only_if_absent) break;
        entries[c.key] = c.value;
        r.done = true;
        break;
      case StoreCommand::Op::incr: {
        auto delta = parse_int(c.value);
        auto old = it == entries.end() ? std::optional<int64_t>(0)
                                       : parse_int(it->second);
        if (!delta || !old) break;
        entries[c.key] = std::to_string(*old + *delta);
        r.value = entries[c.key];
        r.done = true;
        break;
      }
    }
    return r;
  }
};

}  // namespace vgw::testing
