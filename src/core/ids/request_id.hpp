#pragma once

#include <cstdint>

namespace vgw {

// The ids clients quote back (x-request-id) and logs carry: 32 lowercase
// hex digits, the shape of nginx's $request_id. Unique, not secret: nothing
// is authorised by one, so a seeded counter through a bijective mixer does
// what nginx's RAND_bytes per request (a DRBG, locks and a getpid each time)
// did, for a few dozen instructions. Seeded once per worker process.
class RequestIdGenerator {
 public:
  static constexpr int kLength = 32;

  RequestIdGenerator(uint64_t seed_high, uint64_t seed_low)
      : high_(seed_high), low_(seed_low) {}

  // Writes kLength characters (no terminator). Distinct for 2^64 calls:
  // the first half is a bijection of the counter.
  void next(char* out);

 private:
  uint64_t high_;
  uint64_t low_;
  uint64_t counter_ = 0;
};

}  // namespace vgw
