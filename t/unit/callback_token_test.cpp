#include <gtest/gtest.h>

#include "webhooks/callback_token.hpp"

namespace vgw {
namespace {

VideoRecord record() {
  VideoRecord r;
  r.vendor = "kling-main";
  r.task_id = "874123";
  r.kind = "text2video";
  r.model = "kling-v2-6";
  r.created_at = 1764500000;
  r.carried = {{"echo.seed", "7"}};
  return r;
}

TEST(CallbackToken, CarriesTheTargetAndTenantAndNotTheTaskId) {
  VideoIdSealer sealer({"secret one 0123456789"});
  CallbackTarget target{"https://hooks.example.com/v", "digest", "acme"};
  std::string token = seal_callback_token(sealer, record(), target);
  EXPECT_EQ(token.rfind("cb_", 0), 0u);
  auto opened = open_callback_token(sealer, token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->target.url, target.url);
  EXPECT_EQ(opened->target.binding_digest, "digest");
  EXPECT_EQ(opened->target.tenant, "acme");
  EXPECT_EQ(opened->record.task_id, "");
  EXPECT_EQ(opened->record.vendor, "kling-main");
  ASSERT_EQ(opened->record.carried.size(), 1u) << "only the record's own";
  EXPECT_EQ(opened->record.carried[0].first, "echo.seed");
}

TEST(CallbackToken, ATokenWithoutATenantOpensWithNone) {
  VideoIdSealer sealer({"secret one 0123456789"});
  auto opened = open_callback_token(
      sealer,
      seal_callback_token(sealer, record(), {"https://h.test/", "d", ""}));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->target.tenant, "");
  EXPECT_EQ(opened->record.carried.size(), 1u);
  EXPECT_FALSE(open_callback_token(sealer, "cb_garbage"));
  std::string id = sealer.seal(record(), "Bearer x");
  EXPECT_FALSE(open_callback_token(sealer, "cb_" + id.substr(6)))
      << "a video id is not a callback token";
}

}  // namespace
}  // namespace vgw
