#include <gtest/gtest.h>

#include "client_call.hpp"
#include "fake_store.hpp"
#include "gateway.hpp"
#include "util/json.hpp"

namespace vgw {
namespace {

constexpr int64_t kNow = 1764500000;
constexpr std::string_view kTenant = "tenant:acme";

// One gateway per worker (or per instance), all on one store: what one
// poll fetched from the vendor answers the others for the cache's period.
struct Worker {
  Worker() {
    testing::add_vendor(gw, "kling", "https://kling.test",
                        {{"access_key", "AK"}, {"secret_key", "SK"}});
    gw.add_id_key("unit-test-id-key-0123456789");
    gw.set_breaker(BreakerSettings{0, 0});
    gw.set_status_cache_ttl(2);
    gw.finalize();
  }
  Gateway gw;
};

// A request driven to its next vendor call or answer; store steps are
// answered by `store`, waits end at once.
struct Poll {
  Poll(Worker& w, testing::FakeStore& store, const std::string& path,
       std::string_view body = "", bool park_waits = false)
      : store(store), park_waits(park_waits) {
    call = testing::client_call(body.empty() ? "GET" : "POST", path, body,
                                kTenant);
    op = w.gw.begin(call);
    step = settle(op->start(kNow));
  }
  Step settle(Step s) {
    for (int i = 0; i < 100; ++i) {
      if (s.kind == Step::Kind::store) {
        s = op->on_store(store.run(s.store), kNow);
      } else if (s.kind == Step::Kind::wait && !park_waits) {
        ++waits;
        s = op->on_timer(kNow);
      } else {
        return s;
      }
    }
    ADD_FAILURE() << "no end";
    return s;
  }
  void vendor_answers(const std::string& json) {
    reply_body = json;
    UpstreamReply r;
    r.status = 200;
    r.request_sent = true;
    r.body = reply_body;
    step = settle(op->on_reply(r, kNow));
  }
  testing::FakeStore& store;
  bool park_waits;
  ClientCall call;
  std::unique_ptr<Operation> op;
  Step step;
  std::string reply_body;
  int waits = 0;
};

const char* kProcessing =
    R"({"code":0,"data":{"task_id":"T1","task_status":"processing"}})";

TEST(PollCoalescing, OneVendorCallPerPeriodAcrossWorkers) {
  testing::FakeStore store;
  Worker a, b;
  Poll create(a, store, "/v1/videos",
              R"({"model":"kling-v2-6","prompt":"a fox"})");
  ASSERT_EQ(create.step.kind, Step::Kind::call_vendor);
  create.vendor_answers(
      R"({"code":0,"data":{"task_id":"T1","task_status":"submitted"}})");
  std::string id = Json::parse(create.step.response.body)["id"];

  // The first poll takes the lock and calls the vendor; one on the other
  // worker, meanwhile, waits for its result instead of calling too.
  Poll first(a, store, "/v1/videos/" + id);
  ASSERT_EQ(first.step.kind, Step::Kind::call_vendor);
  Poll second(b, store, "/v1/videos/" + id, "", true);
  ASSERT_EQ(second.step.kind, Step::Kind::wait);
  first.vendor_answers(kProcessing);
  ASSERT_EQ(first.step.kind, Step::Kind::respond);
  second.park_waits = false;
  second.step = second.settle(second.op->on_timer(kNow));
  ASSERT_EQ(second.step.kind, Step::Kind::respond) << "no vendor call";
  EXPECT_EQ(second.step.response.body, first.step.response.body);
  EXPECT_EQ(Json::parse(second.step.response.body)["status"], "in_progress");

  // Later polls on either worker are answered without the vendor.
  Poll third(b, store, "/v1/videos/" + id);
  EXPECT_EQ(third.step.kind, Step::Kind::respond);
  EXPECT_EQ(third.waits, 0);
}

TEST(PollCoalescing, APollPastThePeriodCallsTheVendorAgain) {
  testing::FakeStore store;
  Worker a;
  Poll create(a, store, "/v1/videos",
              R"({"model":"kling-v2-6","prompt":"a fox"})");
  create.vendor_answers(
      R"({"code":0,"data":{"task_id":"T1","task_status":"submitted"}})");
  std::string id = Json::parse(create.step.response.body)["id"];
  Poll first(a, store, "/v1/videos/" + id);
  first.vendor_answers(kProcessing);
  // The period is over: the store's copy is old and its lock expired.
  std::string& shared = store.entries.at("poll:kling\ntext2video\nT1");
  shared.replace(0, shared.find('\n'), std::to_string(kNow - 5));
  store.entries.erase("pollock:kling\ntext2video\nT1");
  Worker b;  // its own cache is empty
  Poll later(b, store, "/v1/videos/" + id);
  EXPECT_EQ(later.step.kind, Step::Kind::call_vendor);
}

TEST(PollCoalescing, AnUnreachableStoreStillAnswersEveryPoll) {
  testing::FakeStore store;
  Worker a, b;
  Poll create(a, store, "/v1/videos",
              R"({"model":"kling-v2-6","prompt":"a fox"})");
  create.vendor_answers(
      R"({"code":0,"data":{"task_id":"T1","task_status":"submitted"}})");
  std::string id = Json::parse(create.step.response.body)["id"];
  store.reachable = false;
  Poll first(b, store, "/v1/videos/" + id);
  ASSERT_EQ(first.step.kind, Step::Kind::call_vendor);
  first.vendor_answers(kProcessing);
  EXPECT_EQ(first.step.response.status, 200);
}

}  // namespace
}  // namespace vgw
