#pragma once

#include <memory>

#include "tenants/tenant_directory.hpp"
#include "translate/operation.hpp"

namespace vgw {

// A tenant's unfinished tasks (limits.concurrent_tasks), counted in the
// store: a create takes a slot before the vendor is called (429
// concurrent_tasks_exceeded with Retry-After when none is free) and gives
// it back when it ends without a task; the poll that first sees the task
// end (the usage claim, usage_record.hpp) frees it. Slots are counted in
// buckets of half the tenant's concurrent_task_max_minutes by the task's
// creation time, and the last three buckets count: a task the gateway
// never sees finish (nobody polls it) frees its slot after that age, or at
// most half as long again. An unreachable store lets creates through.
std::unique_ptr<Operation> with_concurrent_task_slot(
    std::unique_ptr<Operation> create, const Tenant& tenant);

// Around a poll: frees the task's slot when this poll is the first to see
// it end.
std::unique_ptr<Operation> with_task_slot_release(
    std::unique_ptr<Operation> retrieve, const Tenant& tenant);

}  // namespace vgw
