#pragma once

#include <memory>
#include <string>

#include "translate/operation.hpp"

namespace vgw {

// Usage records for billing: one line when a create makes a task (event
// "created", with the seconds the vendor will render: a record even for a
// task nobody ever polls), and exactly one when a poll first sees the task
// end (event "completed", billable, or "failed"), claimed in the store so
// that across workers (and instances sharing it) only one request writes
// it. The line is $vgw_usage, for an access_log with if=$vgw_usage.
enum class UsagePoint { create, poll };

// The record (a JSON line) of a request whose facts say one is due; empty
// when none is.
std::string usage_line(const RequestFacts& facts);

std::unique_ptr<Operation> with_usage_record(std::unique_ptr<Operation> inner,
                                             std::string tenant,
                                             UsagePoint point);

}  // namespace vgw
