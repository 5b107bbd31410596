#include <gtest/gtest.h>

#include "crypto/crypto.hpp"
#include "rules/rule_error.hpp"
#include "tenants/caller.hpp"
#include "tenants/tenant_directory.hpp"

namespace vgw {
namespace {

std::string digest(const std::string& key) {
  return "sha256:" + crypto::sha256_hex(key);
}

const std::string kAcmeKey = "sk-acme-first-key-000001";
const std::string kAcmeRotated = "sk-acme-second-key-00002";
const std::string kIdleKey = "sk-idle-key-0000000000003";

TenantDirectory directory() {
  return TenantDirectory::parse(
      "tenants:\n"
      "  - name: acme\n"
      "    keys: [" +
      digest(kAcmeKey) + ", " + digest(kAcmeRotated) +
      "]\n"
      "    models: [\"kling-*\", sora-2]\n"
      "  - name: idle\n"
      "    disabled: true\n"
      "    keys:\n"
      "      - " +
      digest(kIdleKey) + "\n");
}

TEST(TenantDirectory, FindsTenantsByKeyDigestAndName) {
  auto dir = directory();
  ASSERT_EQ(dir.size(), 2u);
  ASSERT_NE(dir.find_by_key(kAcmeKey), nullptr);
  EXPECT_EQ(dir.find_by_key(kAcmeKey)->name, "acme");
  EXPECT_EQ(dir.find_by_key(kAcmeRotated), dir.find_by_key(kAcmeKey));
  EXPECT_EQ(dir.find_by_key(kIdleKey)->name, "idle");
  EXPECT_EQ(dir.find_by_key("sk-acme-first-key-00000"), nullptr);
  EXPECT_EQ(dir.find_by_key(digest(kAcmeKey)), nullptr)
      << "the stored digest is not itself a key";
  EXPECT_EQ(dir.find_by_name("idle")->disabled, true);
  EXPECT_EQ(dir.find_by_name("nobody"), nullptr);
  const Tenant& acme = *dir.find_by_name("acme");
  EXPECT_TRUE(acme.may_use("kling-v2-6"));
  EXPECT_TRUE(acme.may_use("sora-2"));
  EXPECT_FALSE(acme.may_use("veo-3.1"));
  EXPECT_TRUE(dir.find_by_name("idle")->may_use("anything"));
}

TEST(TenantDirectory, RefusesBadEntriesWithTheirLine) {
  struct Case {
    std::string yaml;
    int line;
    const char* says;
  };
  std::string ok = digest(kAcmeKey);
  const Case cases[] = {
      {"tenants:\n  - name: a\n    keys: [sk-plain-key]\n", 3, "sha256:"},
      {"tenants:\n  - name: a\n    keys: [sha256:" + std::string(64, 'g') +
           "]\n",
       3, "hexadecimal"},
      {"tenants:\n  - name: a\n    keys: [" + ok +
           "]\n  - name: b\n    keys: [" + ok + "]\n",
       5, "twice"},
      {"tenants:\n  - name: a\n  - name: a\n", 3, "twice"},
      {"tenants:\n  - name: a\n    limit: 3\n", 3, "unknown key 'limit'"},
      {"tenants:\n  - keys: []\n", 2, "needs a 'name'"},
      {"tenants:\n  - name: \"a b\"\n", 2, "letters"},
      {"tenants:\n  - name: a\n    disabled: maybe\n", 3, "true or false"},
      {"tenant:\n  - name: a\n", 1, "unknown key 'tenant'"},
      {"tenants:\n  - name: [a\n", 3, "flow"},
      {"tenants:\n  - name: a\n    limits: {creates_per_minute: 0}\n", 3,
       "at least 1"},
      {"tenants:\n  - name: a\n    limits:\n      per_hour: 3\n", 4,
       "unknown key 'per_hour'"},
      {"tenants:\n  - name: a\n    limits:\n      concurrent_tasks: 2\n"
       "      concurrent_task_max_minutes: 20000\n",
       5, "at most a week"},
  };
  for (const auto& c : cases) {
    try {
      TenantDirectory::parse(c.yaml);
      ADD_FAILURE() << "accepted:\n" << c.yaml;
    } catch (const RuleError& e) {
      EXPECT_EQ(e.line(), c.line) << c.yaml << e.what();
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(TenantDirectory::parse("").size(), 0u);
  auto limited = TenantDirectory::parse(
      "tenants:\n  - name: a\n    limits: {creates_per_minute: 10, "
      "video_seconds_per_month: 9000}\n");
  const Tenant& a = *limited.find_by_name("a");
  EXPECT_EQ(a.limits.creates_per_minute, 10);
  EXPECT_EQ(a.limits.video_seconds_per_day, 0);
  EXPECT_EQ(a.limits.video_seconds_per_month, 9000);
  EXPECT_EQ(a.limits.concurrent_tasks, 0);
  EXPECT_EQ(a.limits.concurrent_task_max_minutes, 120);
  auto slots = TenantDirectory::parse(
      "tenants:\n  - name: a\n    limits: {concurrent_tasks: 3, "
      "concurrent_task_max_minutes: 30}\n");
  EXPECT_EQ(slots.find_by_name("a")->limits.concurrent_tasks, 3);
  EXPECT_EQ(slots.find_by_name("a")->limits.concurrent_task_max_minutes, 30);
}

TEST(Caller, KeysMakeTenantsAndEveryOtherCallerIsRefused) {
  auto dir = directory();
  Caller acme = identify_caller(&dir, nullptr, "Bearer " + kAcmeKey);
  EXPECT_FALSE(acme.refusal);
  EXPECT_EQ(acme.tenant, "acme");
  Caller rotated = identify_caller(&dir, nullptr, "bearer  " + kAcmeRotated);
  EXPECT_EQ(rotated.binding(), acme.binding()) << "ids follow the tenant";

  for (std::string header : {std::string(), std::string("Bearer "),
                             std::string("Basic ") + kAcmeKey, kAcmeKey}) {
    Caller none = identify_caller(&dir, nullptr, header);
    ASSERT_TRUE(none.refusal) << header;
    EXPECT_EQ(none.refusal->status, 401);
    EXPECT_EQ(none.refusal->code, "invalid_api_key");
    EXPECT_NE(none.refusal->message.find("didn't provide"), std::string::npos);
  }
  std::string wrong = "sk-wrong-key-abcdefghijkl-9876";
  Caller stranger = identify_caller(&dir, nullptr, "Bearer " + wrong);
  ASSERT_TRUE(stranger.refusal);
  EXPECT_EQ(stranger.refusal->status, 401);
  EXPECT_EQ(stranger.refusal->message.find(wrong), std::string::npos);
  EXPECT_NE(stranger.refusal->message.find("sk-"), std::string::npos);
  EXPECT_NE(stranger.refusal->message.find("9876"), std::string::npos);
  EXPECT_EQ(stranger.refusal->message.find("wrong-key"), std::string::npos);

  Caller idle = identify_caller(&dir, nullptr, "Bearer " + kIdleKey);
  ASSERT_TRUE(idle.refusal);
  EXPECT_EQ(idle.refusal->status, 403);
  EXPECT_EQ(idle.refusal->type, "permission_error");
  EXPECT_EQ(idle.refusal->code, "tenant_disabled");

  auto model = refuse_model(acme, "veo-3.1");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->status, 403);
  EXPECT_EQ(model->type, "permission_error");
  EXPECT_EQ(model->param, "model");
  EXPECT_FALSE(refuse_model(acme, "kling-v2-6"));
}

TEST(Caller, AnExternalCheckNamesTheTenant) {
  auto dir = directory();
  std::string_view named = " acme ";
  Caller acme = identify_caller(&dir, &named, "Bearer whatever");
  EXPECT_FALSE(acme.refusal);
  EXPECT_EQ(acme.tenant, "acme");
  EXPECT_FALSE(refuse_model(acme, "kling-v2-6"));
  EXPECT_TRUE(refuse_model(acme, "veo-3.1")) << "its entry still applies";
  std::string_view unlisted = "t-42";
  Caller other = identify_caller(nullptr, &unlisted, "");
  EXPECT_FALSE(other.refusal);
  EXPECT_FALSE(refuse_model(other, "veo-3.1"));
  std::string_view empty;
  Caller nobody = identify_caller(&dir, &empty, "Bearer " + kAcmeKey);
  ASSERT_TRUE(nobody.refusal);
  EXPECT_EQ(nobody.refusal->status, 401);
  Caller open = identify_caller(nullptr, nullptr, "");
  EXPECT_FALSE(open.refusal);
  EXPECT_TRUE(open.tenant.empty());
}

TEST(Caller, MasksKeysInMessages) {
  EXPECT_EQ(masked_key("sk-abcdefghijklmnop"), "sk-************mnop");
  EXPECT_EQ(masked_key("short"), "*****");
  EXPECT_EQ(masked_key("ab"), "****");
}

}  // namespace
}  // namespace vgw
