#pragma once

#include <memory>
#include <string>

#include "tenants/tenant_directory.hpp"
#include "translate/operation.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// Whose tasks are counted: a tenant's (limits.concurrent_tasks) or a vendor
// account's (max_tasks=, the tasks the vendor runs at once for it).
struct TaskSlots {
  enum class Holder { tenant, account };
  Holder holder = Holder::tenant;
  std::string name;
  int64_t limit = 0;  // 0: not counted
  int64_t max_minutes = 120;
};
TaskSlots tenant_task_slots(const Tenant& tenant);
TaskSlots account_task_slots(const Vendor& account);

// Unfinished tasks counted in the store: a create takes a slot before the
// vendor is called (when none is free, a tenant's create is 429
// concurrent_tasks_exceeded and an account's 429 vendor_capacity_exceeded,
// which a pool takes as its cue for the next account; both with
// Retry-After) and gives
// it back when it ends without a task; the poll that first sees the task
// end (the usage claim, usage_record.hpp) frees it. Slots are counted in
// buckets of half of max_minutes by the task's
// creation time, and the last three buckets count: a task the gateway
// never sees finish (nobody polls it) frees its slot after that age, or at
// most half as long again. An unreachable store lets creates through.
std::unique_ptr<Operation> with_concurrent_task_slot(
    std::unique_ptr<Operation> create, TaskSlots slots);

// Around a poll: frees the task's slot when this poll is the first to see
// it end.
std::unique_ptr<Operation> with_task_slot_release(
    std::unique_ptr<Operation> retrieve, TaskSlots slots);

}  // namespace vgw
