#include <gtest/gtest.h>

#include <functional>

#include "fake_store.hpp"
#include "translate/idempotent_create.hpp"

namespace vgw {
namespace {

// A create that answers `answer` after one vendor call, counting calls.
class FakeCreate : public Operation {
 public:
  FakeCreate(HttpResponse answer, int* calls) : answer_(answer), calls_(calls) {
    facts_.operation = "create";
  }
  Step start(int64_t) override {
    ++*calls_;
    UpstreamCall call;
    call.url = "http://vendor.test/create";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply&, int64_t) override {
    return finish(answer_);
  }

 private:
  HttpResponse answer_;
  int* calls_;
};

using testing::FakeStore;

// Drives an operation to its answer; `before_reply` runs while the vendor
// call is outstanding.
HttpResponse drive(Operation& op, FakeStore& store,
                   const std::function<void()>& before_reply = {}) {
  Step step = op.start(0);
  for (int i = 0; i < 10; ++i) {
    if (step.kind == Step::Kind::store) {
      step = op.on_store(store.run(step.store), 0);
    } else if (step.kind == Step::Kind::call_vendor) {
      if (before_reply) before_reply();
      step = op.on_reply(UpstreamReply{}, 0);
    } else {
      return step.response;
    }
  }
  ADD_FAILURE() << "no answer";
  return {};
}

HttpResponse ok_video(const std::string& id) {
  HttpResponse r;
  r.body = R"({"id":")" + id + R"(","object":"video"})";
  r.headers.push_back({"x-vgw-ignored-parameters", "seed"});
  return r;
}

std::unique_ptr<Operation> idempotent(HttpResponse answer, int* calls,
                                      const std::string& fingerprint) {
  return make_idempotent_create(
      std::make_unique<FakeCreate>(std::move(answer), calls),
      idempotency_store_key("Bearer a", "k1"), fingerprint);
}

const std::string kFp(32, 'f');
const std::string kOtherFp(32, 'o');

TEST(IdempotentCreate, RecordsTheFirstAnswerAndReplaysIt) {
  FakeStore store;
  int calls = 0;
  auto first = idempotent(ok_video("video_1"), &calls, kFp);
  HttpResponse a = drive(*first, store);
  auto second = idempotent(ok_video("video_2"), &calls, kFp);
  HttpResponse b = drive(*second, store);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.body, a.body);
  ASSERT_EQ(b.headers.size(), 1u);
  EXPECT_EQ(b.headers[0].value, "seed");
  EXPECT_EQ(second->facts().outcome, "replayed");

  auto changed = idempotent(ok_video("video_3"), &calls, kOtherFp);
  HttpResponse c = drive(*changed, store);
  EXPECT_EQ(c.status, 422);
  EXPECT_NE(c.body.find("idempotency_key_reused"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

TEST(IdempotentCreate, AKeyInUseIsA409AndAnUnreachableStoreA503) {
  FakeStore store;
  int calls = 0;
  auto first = idempotent(ok_video("video_1"), &calls, kFp);
  HttpResponse racing;
  HttpResponse a = drive(*first, store, [&] {
    auto second = idempotent(ok_video("video_2"), &calls, kFp);
    racing = drive(*second, store);
  });
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(racing.status, 409);
  EXPECT_NE(find_header(racing.headers, "retry-after"), std::nullopt);
  EXPECT_EQ(calls, 1);

  FakeStore down;
  down.reachable = false;
  auto blind = idempotent(ok_video("video_4"), &calls, kFp);
  HttpResponse d = drive(*blind, down);
  EXPECT_EQ(d.status, 503);
  EXPECT_NE(d.body.find("store_unavailable"), std::string::npos);
  EXPECT_EQ(calls, 1) << "no create without the key held";
}

TEST(IdempotentCreate, GivesTheKeyBackOnlyWhenARetryMaySucceed) {
  FakeStore store;
  int calls = 0;
  HttpResponse busy;
  busy.status = 429;
  auto first = idempotent(busy, &calls, kFp);
  EXPECT_EQ(drive(*first, store).status, 429);
  EXPECT_TRUE(store.entries.empty());
  auto retry = idempotent(ok_video("video_1"), &calls, kFp);
  EXPECT_EQ(drive(*retry, store).status, 200);
  EXPECT_EQ(calls, 2);

  FakeStore other;
  HttpResponse uncertain;
  uncertain.status = 502;
  uncertain.headers.push_back({"x-should-retry", "false"});
  auto maybe = idempotent(uncertain, &calls, kFp);
  EXPECT_EQ(drive(*maybe, other).status, 502);
  auto again = idempotent(ok_video("video_2"), &calls, kFp);
  EXPECT_EQ(drive(*again, other).status, 502) << "replayed, not re-created";
  EXPECT_EQ(calls, 3);
}

TEST(IdempotentCreate, FingerprintsTheCreateNotItsBytes) {
  ClientVideoRequest a, b;
  a.model = b.model = "m";
  a.prompt = b.prompt = "p";
  EXPECT_EQ(create_fingerprint(a), create_fingerprint(b));
  b.seconds = "8";
  EXPECT_NE(create_fingerprint(a), create_fingerprint(b));
  ClientVideoRequest c = a, d = a;
  c.prompt = "ab";
  c.model = "m";
  d.prompt = "b";
  d.model = "ma";
  EXPECT_NE(create_fingerprint(c), create_fingerprint(d));
  EXPECT_NE(idempotency_store_key("Bearer a", "k"),
            idempotency_store_key("Bearer b", "k"));
  EXPECT_EQ(idempotency_store_key("Bearer a", "k").find("Bearer"),
            std::string::npos);
}

}  // namespace
}  // namespace vgw
