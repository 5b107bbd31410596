#include <gtest/gtest.h>

#include "fake_store.hpp"
#include "translate/tenant_quota.hpp"

namespace vgw {
namespace {

// A create of `seconds` that the vendor answers with `status`.
class FakeCreate : public Operation {
 public:
  FakeCreate(int status, int* calls) : status_(status), calls_(calls) {}
  Step start(int64_t) override {
    facts_.seconds = "10";
    UpstreamCall call;
    call.url = "https://vendor.test/create";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply&, int64_t) override {
    ++*calls_;
    HttpResponse r;
    r.status = status_;
    return finish(r);
  }

 private:
  int status_;
  int* calls_;
};

HttpResponse create(testing::FakeStore& store, const Tenant& tenant,
                    int64_t now, int* calls, int vendor_status = 200) {
  auto op = with_tenant_quota(
      std::make_unique<FakeCreate>(vendor_status, calls), tenant);
  Step step = op->start(now);
  for (int i = 0; i < 12; ++i) {
    if (step.kind == Step::Kind::store) {
      step = op->on_store(store.run(step.store), now);
    } else if (step.kind == Step::Kind::call_vendor) {
      step = op->on_reply(UpstreamReply{}, now);
    } else {
      return step.response;
    }
  }
  ADD_FAILURE() << "no answer";
  return {};
}

// An extension: a status query of its source first (its length not known
// yet), then the create of 12 s.
class FakeExtension : public Operation {
 public:
  Step start(int64_t) override {
    UpstreamCall call;
    call.url = "https://vendor.test/source-status";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply&, int64_t) override {
    if (facts_.seconds.empty()) {
      facts_.seconds = "12";
      UpstreamCall call;
      call.url = "https://vendor.test/extend";
      return Step::call_vendor(call);
    }
    return finish(HttpResponse{});
  }
};

constexpr int64_t kDec2 = 1764633600;  // 2025-12-02 00:00:00 UTC

TEST(TenantQuota, AnExtensionIsChargedItsLengthNotTheSourceRead) {
  testing::FakeStore store;
  Tenant t;
  t.name = "acme";
  t.limits.video_seconds_per_day = 20;
  auto extend = [&] {
    auto op = with_tenant_quota(std::make_unique<FakeExtension>(), t);
    Step step = op->start(kDec2);
    for (int i = 0; i < 12; ++i) {
      if (step.kind == Step::Kind::store) {
        step = op->on_store(store.run(step.store), kDec2);
      } else if (step.kind == Step::Kind::call_vendor) {
        step = op->on_reply(UpstreamReply{}, kDec2);
      } else {
        return step.response.status;
      }
    }
    return 0;
  };
  EXPECT_EQ(extend(), 200);
  EXPECT_EQ(extend(), 429) << "12 s + 12 s is over the day's 20 s";
}

TEST(TenantQuota, CreatesPerMinute) {
  testing::FakeStore store;
  Tenant t;
  t.name = "acme";
  t.limits.creates_per_minute = 2;
  int calls = 0;
  EXPECT_EQ(create(store, t, kDec2 + 5, &calls).status, 200);
  EXPECT_EQ(create(store, t, kDec2 + 6, &calls).status, 200);
  HttpResponse over = create(store, t, kDec2 + 45, &calls);
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.body.find("rate_limit_exceeded"), std::string::npos);
  EXPECT_EQ(find_header(over.headers, "retry-after"), "15");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store.entries["quota:acme:minute:" + std::to_string(kDec2 / 60)],
            "2")
      << "a refused create is not counted";
  EXPECT_EQ(create(store, t, kDec2 + 61, &calls).status, 200)
      << "the next minute";
}

TEST(TenantQuota, VideoSecondsPerDayAndMonthWithRefunds) {
  testing::FakeStore store;
  Tenant t;
  t.name = "acme";
  t.limits.video_seconds_per_day = 25;
  t.limits.video_seconds_per_month = 1000;
  int calls = 0;
  EXPECT_EQ(create(store, t, kDec2, &calls).status, 200);
  EXPECT_EQ(create(store, t, kDec2 + 1, &calls, 429).status, 429);
  EXPECT_EQ(store.entries["quota:acme:day:2025-12-02"], "10")
      << "a create the vendor refused made no task: its seconds come back";
  EXPECT_EQ(create(store, t, kDec2 + 2, &calls).status, 200);
  HttpResponse over = create(store, t, kDec2 + 3, &calls);
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.body.find("insufficient_quota"), std::string::npos);
  EXPECT_EQ(find_header(over.headers, "x-should-retry"), "false");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(store.entries["quota:acme:day:2025-12-02"], "20");
  EXPECT_EQ(store.entries["quota:acme:month:2025-12"], "20");
  EXPECT_EQ(create(store, t, kDec2 + 86400, &calls).status, 200)
      << "a new UTC day";
  EXPECT_EQ(store.entries["quota:acme:day:2025-12-03"], "10");
  EXPECT_EQ(store.entries["quota:acme:month:2025-12"], "30");
  // Leap days and centuries come out of the civil calendar.
  create(store, t, 951782400, &calls);  // 2000-02-29
  EXPECT_EQ(store.entries.count("quota:acme:day:2000-02-29"), 1u);
}

TEST(TenantQuota, AnUnreachableStoreLetsCreatesThrough) {
  testing::FakeStore down;
  down.reachable = false;
  Tenant t;
  t.name = "acme";
  t.limits.creates_per_minute = 1;
  t.limits.video_seconds_per_day = 1;
  int calls = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(create(down, t, kDec2, &calls).status, 200);
  }
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace vgw
