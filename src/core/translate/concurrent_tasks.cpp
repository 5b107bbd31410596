#include "translate/concurrent_tasks.hpp"

#include <algorithm>

#include "translate/create_outcome.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr int kBucketsCounted = 3;
// Tasks run for minutes: a refused client retries after this long (the
// SDKs wait it out before their retries).
constexpr int kRetryAfterSeconds = 10;

class SlotBuckets {
 public:
  explicit SlotBuckets(const TaskSlots& slots)
      : scope_(std::string(slots.holder == TaskSlots::Holder::tenant
                               ? "tenant:"
                               : "account:") +
               slots.name),
        width_(std::max<int64_t>(60, slots.max_minutes * 60 / 2)) {}

  int64_t bucket(int64_t at) const { return at / width_; }
  std::string key(int64_t bucket) const {
    return "tasks:" + scope_ + ":" + std::to_string(width_) + ":" +
           std::to_string(bucket);
  }
  Step add(int64_t bucket, int64_t by) const {
    return Step::query_store({StoreCommand::Op::incr, key(bucket),
                              std::to_string(by),
                              width_ * (kBucketsCounted + 1), false});
  }
  Step read(int64_t bucket) const {
    return Step::query_store(
        {StoreCommand::Op::get, key(bucket), {}, 0, false});
  }

 private:
  std::string scope_;
  int64_t width_;
};

// A bucket's count; a freed slot of a task counted before the limit was
// set may leave one below zero, which counts as none.
int64_t count_in(const StoreReply& reply, bool incremented) {
  std::optional<int64_t> n;
  if (incremented) {
    n = store_number(reply);
  } else if (reply.ok && reply.value) {
    n = parse_int(*reply.value);
  }
  return std::max<int64_t>(0, n.value_or(0));
}

class ConcurrentTaskSlot : public OperationDecorator {
 public:
  ConcurrentTaskSlot(std::unique_ptr<Operation> create, TaskSlots slots)
      : OperationDecorator(std::move(create)),
        buckets_(slots),
        slots_(std::move(slots)) {}

  Step start(int64_t now) override {
    bucket_ = buckets_.bucket(now);
    phase_ = Phase::taking;
    return buckets_.add(bucket_, 1);
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    switch (phase_) {
      case Phase::idle:
        return pass(inner_->on_store(reply, now));
      case Phase::taking:
        if (!store_number(reply)) {
          // Fail open, and nothing was taken that needs giving back.
          phase_ = Phase::idle;
          return pass(inner_->start(now));
        }
        taken_ = true;
        counted_ = count_in(reply, true);
        phase_ = Phase::counting;
        read_ = 1;
        return buckets_.read(bucket_ - read_);
      case Phase::counting:
        counted_ += count_in(reply, false);
        if (++read_ < kBucketsCounted) return buckets_.read(bucket_ - read_);
        if (counted_ > slots_.limit) {
          refused_ = true;
          return give_back();
        }
        phase_ = Phase::idle;
        return pass(inner_->start(now));
      case Phase::giving_back:
        taken_ = false;
        phase_ = Phase::answered;
        if (refused_) return refuse();
        return Step::respond(std::move(held_));
      case Phase::moving_out:
        phase_ = Phase::moving_in;
        return buckets_.add(moved_to_, 1);
      case Phase::moving_in:
        phase_ = Phase::answered;
        return Step::respond(std::move(held_));
      case Phase::answered:
        break;
    }
    return answer(internal_error("Unexpected store reply."));
  }

 protected:
  void forward(Step& step) override {
    if (step.kind != Step::Kind::respond || !taken_ || phase_ != Phase::idle) {
      return;
    }
    if (create_made_no_task(step.response)) {
      held_ = std::move(step.response);
      step = give_back();
      return;
    }
    // The slot is freed in the bucket of the time the id carries; a create
    // that crossed into the next bucket while it ran moves its slot there.
    int64_t created_at = inner_->facts().created_at;
    if (step.response.status == 200 && created_at > 0 &&
        buckets_.bucket(created_at) != bucket_) {
      moved_to_ = buckets_.bucket(created_at);
      held_ = std::move(step.response);
      phase_ = Phase::moving_out;
      step = buckets_.add(bucket_, -1);
    }
  }

 private:
  enum class Phase {
    idle,
    taking,
    counting,
    giving_back,
    moving_out,
    moving_in,
    answered
  };

  Step give_back() {
    phase_ = Phase::giving_back;
    return buckets_.add(bucket_, -1);
  }

  Step refuse() {
    bool tenant = slots_.holder == TaskSlots::Holder::tenant;
    ApiError e = invalid_request(
        tenant ? "Tenant '" + slots_.name + "' already has " +
                     std::to_string(slots_.limit) +
                     " unfinished video tasks, its limit; retry when one has "
                     "finished."
               : "Vendor account '" + slots_.name + "' is running " +
                     std::to_string(slots_.limit) +
                     " tasks, all it may; retry when one has finished.",
        std::nullopt,
        tenant ? "concurrent_tasks_exceeded" : "vendor_capacity_exceeded");
    e.status = 429;
    e.type = "requests";
    e.retry_after_seconds = kRetryAfterSeconds;
    Step step = answer(e);
    if (!tenant) {
      facts_to_amend().try_next_account = true;
      facts_to_amend().account_full = true;
    }
    return step;
  }

  SlotBuckets buckets_;
  TaskSlots slots_;
  Phase phase_ = Phase::idle;
  int64_t bucket_ = 0, moved_to_ = 0;
  int64_t counted_ = 0;
  int read_ = 0;
  bool taken_ = false, refused_ = false;
  HttpResponse held_;
};

class TaskSlotRelease : public OperationDecorator {
 public:
  TaskSlotRelease(std::unique_ptr<Operation> retrieve, const TaskSlots& slots)
      : OperationDecorator(std::move(retrieve)), buckets_(slots) {}

  Step on_store(const StoreReply& reply, int64_t now) override {
    if (!releasing_) return pass(inner_->on_store(reply, now));
    releasing_ = false;
    return Step::respond(std::move(held_));
  }

 protected:
  void forward(Step& step) override {
    const RequestFacts& f = inner_->facts();
    if (step.kind != Step::Kind::respond || !f.first_to_see_end || released_ ||
        f.created_at <= 0) {
      return;
    }
    released_ = releasing_ = true;
    held_ = std::move(step.response);
    step = buckets_.add(buckets_.bucket(f.created_at), -1);
  }

 private:
  SlotBuckets buckets_;
  bool released_ = false, releasing_ = false;
  HttpResponse held_;
};

}  // namespace

TaskSlots tenant_task_slots(const Tenant& tenant) {
  return {TaskSlots::Holder::tenant, tenant.name,
          tenant.limits.concurrent_tasks,
          tenant.limits.concurrent_task_max_minutes};
}

TaskSlots account_task_slots(const Vendor& account) {
  return {TaskSlots::Holder::account, account.name(), account.max_tasks(), 120};
}

std::unique_ptr<Operation> with_concurrent_task_slot(
    std::unique_ptr<Operation> create, TaskSlots slots) {
  if (slots.limit <= 0) return create;
  return std::make_unique<ConcurrentTaskSlot>(std::move(create),
                                              std::move(slots));
}

std::unique_ptr<Operation> with_task_slot_release(
    std::unique_ptr<Operation> retrieve, TaskSlots slots) {
  if (slots.limit <= 0) return retrieve;
  return std::make_unique<TaskSlotRelease>(std::move(retrieve), slots);
}

}  // namespace vgw
