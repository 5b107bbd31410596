#include <gtest/gtest.h>

#include "fake_store.hpp"
#include "translate/circuit_breaker.hpp"

namespace vgw {
namespace {

// One vendor call answered with `status` (0: no reply at all).
class OneCall : public Operation {
 public:
  explicit OneCall(int* calls) : calls_(calls) {}
  Step start(int64_t) override {
    UpstreamCall call;
    call.url = "https://vendor.test/v1/tasks";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply& reply, int64_t) override {
    ++*calls_;
    HttpResponse r;
    r.status = reply.status == 200 ? 200 : 502;
    return finish(r);
  }

 private:
  int* calls_;
};

const std::string kVendor = "kling";

// Runs one request through the breaker; the vendor answers `status`.
// One worker's view, across the requests of a test.
BreakerMemo memo;

HttpResponse request(testing::FakeStore& store, int status, int* calls,
                     int64_t now, const BreakerSettings& settings) {
  auto op =
      with_breaker(std::make_unique<OneCall>(calls), kVendor, settings, memo);
  Step step = op->start(now);
  for (int i = 0; i < 10; ++i) {
    if (step.kind == Step::Kind::store) {
      step = op->on_store(store.run(step.store), now);
    } else if (step.kind == Step::Kind::call_vendor) {
      UpstreamReply reply;
      reply.status = status;
      step = op->on_reply(reply, now);
    } else {
      return step.response;
    }
  }
  ADD_FAILURE() << "no answer";
  return {};
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresThenProbesOnce) {
  memo = {};
  testing::FakeStore store;
  BreakerSettings settings{3, 30};
  int calls = 0;
  EXPECT_EQ(request(store, 200, &calls, 1000, settings).status, 200);
  EXPECT_TRUE(store.entries.empty()) << "a healthy vendor leaves nothing";
  for (int i = 0; i < 3; ++i) request(store, 503, &calls, 1000, settings);
  EXPECT_EQ(calls, 4);
  HttpResponse refused = request(store, 200, &calls, 1001, settings);
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("vendor_unavailable"), std::string::npos);
  EXPECT_EQ(find_header(refused.headers, "retry-after"), "29");
  EXPECT_EQ(calls, 4) << "the vendor is not called while open";

  // The cooldown over (the store expired ":open"): one probe goes through.
  store.entries.erase("breaker:kling:open");
  store.entries["breaker:kling:probe"] = "1";  // another worker's probe
  EXPECT_EQ(request(store, 200, &calls, 1031, settings).status, 503);
  EXPECT_EQ(calls, 4);
  store.entries.erase("breaker:kling:probe");
  EXPECT_EQ(request(store, 200, &calls, 1031, settings).status, 200);
  EXPECT_EQ(calls, 5);
  EXPECT_TRUE(store.entries.empty()) << "closed again";
  EXPECT_EQ(request(store, 200, &calls, 1032, settings).status, 200);
}

TEST(CircuitBreaker, AFailedProbeOpensItAgainAndSuccessResetsTheCount) {
  memo = {};
  testing::FakeStore store;
  BreakerSettings settings{2, 10};
  int calls = 0;
  request(store, 0, &calls, 0, settings);
  request(store, 200, &calls, 0, settings);
  EXPECT_TRUE(store.entries.empty()) << "not consecutive";
  request(store, 0, &calls, 0, settings);
  request(store, 500, &calls, 0, settings);
  EXPECT_EQ(store.entries.count("breaker:kling:open"), 1u);
  store.entries.erase("breaker:kling:open");
  EXPECT_EQ(request(store, 503, &calls, 20, settings).status, 502);
  EXPECT_EQ(store.entries.count("breaker:kling:open"), 1u) << "re-opened";
  EXPECT_EQ(store.entries.count("breaker:kling:probe"), 0u);
  EXPECT_EQ(request(store, 200, &calls, 21, settings).status, 503);
}

TEST(CircuitBreaker, AnUnreachableStoreLetsCallsThroughAndOffIsOff) {
  memo = {};
  testing::FakeStore down;
  down.reachable = false;
  int calls = 0;
  for (int i = 0; i < 10; ++i) request(down, 503, &calls, 0, {3, 30});
  EXPECT_EQ(calls, 10);
  testing::FakeStore store;
  for (int i = 0; i < 10; ++i) request(store, 503, &calls, 0, {0, 30});
  EXPECT_EQ(calls, 20);
  EXPECT_TRUE(store.entries.empty());
}

// A worker that read the breaker closed this second does not read it again
// this second; another worker's opening reaches it the next second.
TEST(CircuitBreaker, OneReadASecondWhileTheVendorIsHealthy) {
  memo = {};
  testing::FakeStore store;
  int calls = 0;
  size_t reads = 0;
  for (int i = 0; i < 5; ++i) {
    auto op =
        with_breaker(std::make_unique<OneCall>(&calls), kVendor, {3, 30}, memo);
    Step step = op->start(500);
    while (step.kind == Step::Kind::store) {
      ++reads;
      step = op->on_store(store.run(step.store), 500);
    }
    UpstreamReply ok;
    ok.status = 200;
    EXPECT_EQ(op->on_reply(ok, 500).kind, Step::Kind::respond);
  }
  EXPECT_EQ(reads, 1u);
  EXPECT_EQ(calls, 5);
  store.entries["breaker:kling"] = "3";  // another worker opened it
  store.entries["breaker:kling:open"] = "530";
  EXPECT_EQ(request(store, 200, &calls, 500, {3, 30}).status, 200);
  EXPECT_EQ(request(store, 200, &calls, 501, {3, 30}).status, 503);
}

}  // namespace
}  // namespace vgw
