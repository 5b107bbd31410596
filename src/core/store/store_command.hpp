#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vgw {

// One request to the gateway's shared store (an nginx shared-memory zone,
// or Redis for a fleet): the few Redis-like operations the core needs,
// answered by the nginx layer through on_store(). Keys and values are
// bytes; a key never holds a client secret (callers hash what they key on).
struct StoreCommand {
  enum class Op { get, set, del };
  Op op = Op::get;
  std::string key;
  std::string value;            // set
  int64_t ttl_seconds = 0;      // set: 0 keeps it until evicted
  bool only_if_absent = false;  // set: Redis's NX
};

struct StoreReply {
  // The store answered; false: unreachable or out of room, and nothing
  // was read or written.
  bool ok = false;
  // set: written (with only_if_absent: the key was absent); del: existed.
  bool done = false;
  std::optional<std::string> value;  // get: the value, if the key is there
};

}  // namespace vgw
