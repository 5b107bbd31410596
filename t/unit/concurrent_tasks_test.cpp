#include <gtest/gtest.h>

#include "fake_store.hpp"
#include "translate/concurrent_tasks.hpp"
#include "translate/usage_record.hpp"

namespace vgw {
namespace {

// A create the vendor answers with `status`; the id it seals carries the
// time it started plus `clock_skew` (a create that ran across a second).
class FakeCreate : public Operation {
 public:
  FakeCreate(int status, int* calls, int64_t clock_skew)
      : status_(status), calls_(calls), skew_(clock_skew) {}
  Step start(int64_t now) override {
    facts_.created_at = now + skew_;
    UpstreamCall call;
    call.url = "https://vendor.test/create";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply&, int64_t) override {
    ++*calls_;
    HttpResponse r;
    r.status = status_;
    if (status_ == 200) facts_.status = "queued";
    return finish(r);
  }

 private:
  int status_;
  int* calls_;
  int64_t skew_;
};

// A poll of a task created at `created_at` that the vendor reports ended.
class FakeFinishedPoll : public Operation {
 public:
  explicit FakeFinishedPoll(int64_t created_at) : created_at_(created_at) {}
  Step start(int64_t) override {
    facts_.created_at = created_at_;
    facts_.vendor = "kling";
    facts_.task_id = "task-" + std::to_string(created_at_);
    facts_.status = "completed";
    HttpResponse r;
    r.status = 200;
    return finish(r);
  }
  Step on_reply(const UpstreamReply&, int64_t) override { return {}; }

 private:
  int64_t created_at_;
};

HttpResponse settle(testing::FakeStore& store, Operation& op, int64_t now) {
  Step step = op.start(now);
  for (int i = 0; i < 16; ++i) {
    if (step.kind == Step::Kind::store) {
      step = op.on_store(store.run(step.store), now);
    } else if (step.kind == Step::Kind::call_vendor) {
      step = op.on_reply(UpstreamReply{}, now);
    } else {
      return step.response;
    }
  }
  ADD_FAILURE() << "no answer";
  return {};
}

HttpResponse create(testing::FakeStore& store, const Tenant& tenant,
                    int64_t now, int* calls, int vendor_status = 200,
                    int64_t clock_skew = 0) {
  auto op = with_concurrent_task_slot(
      std::make_unique<FakeCreate>(vendor_status, calls, clock_skew),
      tenant_task_slots(tenant));
  return settle(store, *op, now);
}

HttpResponse poll_finished(testing::FakeStore& store, const Tenant& tenant,
                           int64_t created_at, int64_t now) {
  auto op = with_task_slot_release(
      with_usage_record(std::make_unique<FakeFinishedPoll>(created_at),
                        tenant.name, UsagePoint::poll),
      tenant_task_slots(tenant));
  return settle(store, *op, now);
}

Tenant limited(int64_t tasks) {
  Tenant t;
  t.name = "acme";
  t.limits.concurrent_tasks = tasks;
  t.limits.concurrent_task_max_minutes = 120;  // buckets of an hour
  return t;
}

constexpr int64_t kHour = 3600;
constexpr int64_t kStart = 1764633600;  // on an hour

TEST(ConcurrentTasks, ACreateOverTheLimitIsRefusedBeforeTheVendor) {
  testing::FakeStore store;
  Tenant t = limited(2);
  int calls = 0;
  EXPECT_EQ(create(store, t, kStart, &calls).status, 200);
  EXPECT_EQ(create(store, t, kStart + 1, &calls).status, 200);
  HttpResponse over = create(store, t, kStart + 2, &calls);
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.body.find("concurrent_tasks_exceeded"), std::string::npos);
  EXPECT_EQ(find_header(over.headers, "retry-after"), "10");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(
      store.entries["tasks:tenant:acme:3600:" + std::to_string(kStart / kHour)],
      "2")
      << "the refused create took no slot";
}

TEST(ConcurrentTasks, ACreateWithoutATaskGivesItsSlotBack) {
  testing::FakeStore store;
  Tenant t = limited(1);
  int calls = 0;
  EXPECT_EQ(create(store, t, kStart, &calls, 400).status, 400);
  EXPECT_EQ(create(store, t, kStart, &calls, 503).status, 503);
  EXPECT_EQ(create(store, t, kStart, &calls).status, 200);
  EXPECT_EQ(calls, 3);
}

TEST(ConcurrentTasks, TheFirstPollToSeeATaskEndFreesItsSlotOnce) {
  testing::FakeStore store;
  Tenant t = limited(2);
  int calls = 0;
  ASSERT_EQ(create(store, t, kStart, &calls).status, 200);
  ASSERT_EQ(create(store, t, kStart + 10, &calls).status, 200);
  EXPECT_EQ(create(store, t, kStart + 20, &calls).status, 429);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(poll_finished(store, t, kStart, kStart + 30 + i).status, 200);
  }
  EXPECT_EQ(
      store.entries["tasks:tenant:acme:3600:" + std::to_string(kStart / kHour)],
      "1")
      << "three polls of one ended task free one slot";
  EXPECT_EQ(create(store, t, kStart + 40, &calls).status, 200);
  EXPECT_EQ(create(store, t, kStart + 50, &calls).status, 429);
}

TEST(ConcurrentTasks, ATaskNobodySeesEndStopsCountingAfterItsMaximumAge) {
  testing::FakeStore store;
  Tenant t = limited(1);
  int calls = 0;
  ASSERT_EQ(create(store, t, kStart, &calls).status, 200);
  // Made at the start of an hour bucket: counted for three buckets.
  EXPECT_EQ(create(store, t, kStart + 2 * kHour, &calls).status, 429);
  EXPECT_EQ(create(store, t, kStart + 3 * kHour - 1, &calls).status, 429);
  EXPECT_EQ(create(store, t, kStart + 3 * kHour, &calls).status, 200);
}

TEST(ConcurrentTasks, ACreateAcrossABucketBoundaryCountsWhereItsIdSaysSo) {
  testing::FakeStore store;
  Tenant t = limited(1);
  int calls = 0;
  ASSERT_EQ(create(store, t, kStart + kHour - 1, &calls, 200, 1).status, 200);
  EXPECT_EQ(
      store.entries["tasks:tenant:acme:3600:" + std::to_string(kStart / kHour)],
      "0");
  EXPECT_EQ(store.entries["tasks:tenant:acme:3600:" +
                          std::to_string(kStart / kHour + 1)],
            "1");
  poll_finished(store, t, kStart + kHour, kStart + kHour + 5);
  EXPECT_EQ(create(store, t, kStart + kHour + 6, &calls).status, 200);
}

TEST(ConcurrentTasks, AnUnreachableStoreLetsCreatesThrough) {
  testing::FakeStore down;
  down.reachable = false;
  Tenant t = limited(1);
  int calls = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(create(down, t, kStart, &calls).status, 200);
  }
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace vgw
