#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "translate/account_pool.hpp"

namespace vgw {
namespace {

// One account's create: it calls its vendor once, which answers `status`;
// `refused` marks a refusal that left no task (the create operation's
// try_next_account), `full` its task cap.
struct AccountScript {
  int status = 200;
  bool refused = false;
  bool full = false;
  bool calls_vendor = true;
};

class ScriptedCreate : public Operation {
 public:
  ScriptedCreate(AccountScript script, std::string account,
                 std::vector<std::string>* log)
      : script_(script), log_(log) {
    facts_.account = std::move(account);
  }
  Step start(int64_t) override {
    log_->push_back(facts_.account);
    if (!script_.calls_vendor) return answer_now();
    UpstreamCall call;
    call.url = "https://" + facts_.account + ".test/create";
    return Step::call_vendor(call);
  }
  Step on_reply(const UpstreamReply&, int64_t) override { return answer_now(); }

 private:
  Step answer_now() {
    facts_.try_next_account = script_.refused;
    facts_.account_full = script_.full;
    HttpResponse r;
    r.status = script_.status;
    r.body = facts_.account;
    return finish(r);
  }
  AccountScript script_;
  std::vector<std::string>* log_;
};

struct PoolRun {
  HttpResponse response;
  std::vector<std::string> tried;
  std::string account;
};

PoolRun run_pool(const std::vector<AccountScript>& scripts) {
  PoolRun run;
  std::vector<size_t> order;
  for (size_t i = 0; i < scripts.size(); ++i) order.push_back(i);
  auto op = make_pool_create(order, [&](size_t i) {
    return std::make_unique<ScriptedCreate>(
        scripts[i], "acct" + std::to_string(i), &run.tried);
  });
  Step step = op->start(0);
  for (int i = 0; i < 10 && step.kind == Step::Kind::call_vendor; ++i) {
    step = op->on_reply(UpstreamReply{}, 0);
  }
  EXPECT_EQ(step.kind, Step::Kind::respond);
  run.response = step.response;
  run.account = op->facts().account;
  return run;
}

TEST(AccountPool, ARefusalThatLeftNoTaskGoesToTheNextAccount) {
  PoolRun run = run_pool({{401, true}, {200}, {200}});
  EXPECT_EQ(run.response.status, 200);
  EXPECT_EQ(run.response.body, "acct1");
  EXPECT_EQ(run.account, "acct1");
  EXPECT_EQ(run.tried, (std::vector<std::string>{"acct0", "acct1"}));
}

TEST(AccountPool, AFailureAfterWhichATaskMayExistIsNeverRetriedElsewhere) {
  PoolRun run = run_pool({{502, false}, {200}});
  EXPECT_EQ(run.response.status, 502);
  EXPECT_EQ(run.tried, (std::vector<std::string>{"acct0"}));
}

TEST(AccountPool, WhenEveryAccountRefusesAFullOneAnswers) {
  PoolRun full = run_pool({{429, true, true, false}, {401, true}});
  EXPECT_EQ(full.response.status, 429);
  EXPECT_EQ(full.response.body, "acct0");
  EXPECT_EQ(full.account, "acct0");
  EXPECT_EQ(full.tried, (std::vector<std::string>{"acct0", "acct1"}));
  PoolRun refused = run_pool({{401, true}, {503, true, false, false}});
  EXPECT_EQ(refused.response.status, 503) << "the last refusal";
}

TEST(AccountPool, LowerPrioritiesFirstThenByWeight) {
  std::vector<PoolMember> members{{2, 1}, {1, 3}, {1, 1}, {3, 1}};
  int first_heavy = 0;
  constexpr int kDraws = 4000;
  for (int draw = 1; draw <= kDraws; ++draw) {
    std::vector<size_t> order = pool_order(members, draw);
    ASSERT_EQ(order.size(), 4u);
    EXPECT_TRUE((order[0] == 1 && order[1] == 2) ||
                (order[0] == 2 && order[1] == 1));
    EXPECT_EQ(order[2], 0u);
    EXPECT_EQ(order[3], 3u);
    if (order[0] == 1) ++first_heavy;
  }
  // Weight 3 against 1: first in three draws of four.
  EXPECT_GT(first_heavy, kDraws * 70 / 100);
  EXPECT_LT(first_heavy, kDraws * 80 / 100);
}

}  // namespace
}  // namespace vgw
