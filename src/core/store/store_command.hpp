#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/strings.hpp"

namespace vgw {

// One request to the gateway's shared store (an nginx shared-memory zone,
// or Redis for a fleet): the few Redis-like operations the core needs,
// answered by the nginx layer through on_store(). Keys and values are
// bytes; a key never holds a client secret (callers hash what they key on).
struct StoreCommand {
  // incr: adds `value` (a decimal integer) to the number at the key (0 when
  // absent, then given `ttl_seconds`; an existing key keeps its expiry, as
  // Redis's INCRBY does) and answers the sum.
  enum class Op { get, set, del, incr };
  Op op = Op::get;
  std::string key;
  std::string value;            // set; incr: the increment
  int64_t ttl_seconds = 0;      // set, incr: 0 keeps it until evicted
  bool only_if_absent = false;  // set: Redis's NX
  // set: a copy the gateway can do without (the catalogue, shared status
  // replies), which a full embedded store drops, oldest first, to make
  // room; never an answer a promise rests on (idempotency, limits,
  // tombstones). Redis leaves eviction to its maxmemory-policy.
  bool evictable = false;
};

struct StoreReply {
  // The store answered; false: unreachable or out of room, and nothing
  // was read or written.
  bool ok = false;
  // set: written (with only_if_absent: the key was absent); del: existed;
  // incr: the key held a number (or nothing) and now holds the sum.
  bool done = false;
  // get: the value, if the key is there; incr: the sum.
  std::optional<std::string> value;
};

// The number a get or incr answered; nullopt when the store could not say.
inline std::optional<int64_t> store_number(const StoreReply& reply) {
  if (!reply.ok || !reply.done || !reply.value) return std::nullopt;
  return parse_int(*reply.value);
}

}  // namespace vgw
