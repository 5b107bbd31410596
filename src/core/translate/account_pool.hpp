#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "translate/operation.hpp"

namespace vgw {

// One account of a pool as the order is drawn: its priority and weight
// (translate/vendor.hpp).
struct PoolMember {
  int priority = 0;
  int weight = 1;
};

// The order a create tries a pool's accounts in: lower priorities first;
// accounts of one priority in a random order drawn by weight (an account
// of weight 3 comes first three times as often as one of weight 1).
// `random` is any 64-bit value, fresh for each create.
std::vector<size_t> pool_order(const std::vector<PoolMember>& members,
                               uint64_t random);

// A create served by a pool: the attempt on each account, in `order`,
// until one does not refuse its account before a task can exist (the
// attempt's facts say try_next_account: credentials, quota, rate limit,
// its breaker open, its max_tasks full, never reached). Once a create may
// have reached a vendor, its answer is the pool's, whatever it is: never
// a second task. When every account refuses, the answer is a full
// account's 429 if there was one (waiting helps), else the last refusal.
using AccountAttempt = std::function<std::unique_ptr<Operation>(size_t)>;
std::unique_ptr<Operation> make_pool_create(std::vector<size_t> order,
                                            AccountAttempt attempt);

}  // namespace vgw
