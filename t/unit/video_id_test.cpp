#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ids/video_id.hpp"

namespace vgw {
namespace {

VideoRecord sample() {
  VideoRecord r;
  r.vendor = "kling";
  r.task_id = "8741234567890";
  r.kind = "image2video";
  r.model = "kling-v2-6";
  r.seconds = "10";
  r.size = "1280x720";
  r.created_at = 1764500000;
  r.carried = {{"req_key", "jimeng_vgfm_t2v_l20"}};
  return r;
}

TEST(VideoId, RoundTripsEveryField) {
  VideoIdSealer s({"secret one 0123456789"});
  auto id = s.seal(sample(), "Bearer sk-a");
  EXPECT_EQ(id.rfind("video_", 0), 0u);
  EXPECT_EQ(
      id.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"),
      std::string::npos)
      << id;
  auto back = s.open(id, "Bearer sk-a");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, sample());
  EXPECT_EQ(s.seal(sample(), "Bearer sk-a"), id)
      << "deterministic: the same record seals to the same id";
  VideoRecord other = sample();
  other.task_id += "1";
  EXPECT_NE(s.seal(other, "Bearer sk-a"), id);
  EXPECT_NE(s.seal(sample(), "Bearer sk-b"), id);
  EXPECT_EQ(
      s.seal_for_digest(sample(), VideoIdSealer::binding_digest("Bearer sk-a")),
      id)
      << "a digest of the identity is enough to seal for it";
}

// A character id and a video id never stand for each other, even sealed
// from the same record for the same caller.
TEST(VideoId, CharacterIdsAreTheirOwnKind) {
  VideoIdSealer s({"secret one 0123456789"});
  auto video = s.seal(sample(), "Bearer sk-a");
  auto character = s.seal(sample(), "Bearer sk-a", SealedKind::character);
  EXPECT_EQ(character.rfind("char_", 0), 0u);
  auto back = s.open(character, "Bearer sk-a", SealedKind::character);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, sample());
  EXPECT_FALSE(s.open(character, "Bearer sk-a"));
  EXPECT_FALSE(s.open(video, "Bearer sk-a", SealedKind::character));
  EXPECT_FALSE(s.open("video_" + character.substr(5), "Bearer sk-a"))
      << "the prefix is not all that tells them apart";
  EXPECT_FALSE(
      s.open("char_" + video.substr(6), "Bearer sk-a", SealedKind::character));
  EXPECT_FALSE(s.open(character, "Bearer sk-b", SealedKind::character));
}

TEST(VideoId, OnlyOpensForTheSameTenant) {
  VideoIdSealer s({"secret one 0123456789"});
  auto id = s.seal(sample(), "Bearer sk-a");
  EXPECT_FALSE(s.open(id, "Bearer sk-b"));
  EXPECT_FALSE(s.open(id, ""));
}

// The digest of the last binding is remembered: it must never answer for
// another one (a prefix, a longer one, one past the remembered size).
TEST(VideoId, BindingDigestNeverAnswersForAnotherCaller) {
  const std::string long_a = "Bearer " + std::string(300, 'a');
  const std::string long_b = "Bearer " + std::string(300, 'a') + "b";
  const std::vector<std::string> bindings = {
      "Bearer sk-a", "Bearer sk-ab", "Bearer sk-a", "",           "Bearer sk-b",
      long_a,        long_b,         long_a,        "Bearer sk-a"};
  std::vector<std::string> digests;
  for (const auto& b : bindings) {
    digests.push_back(VideoIdSealer::binding_digest(b));
    EXPECT_EQ(digests.back().size(), 32u);
  }
  for (size_t i = 0; i < bindings.size(); ++i) {
    for (size_t j = 0; j < bindings.size(); ++j) {
      EXPECT_EQ(digests[i] == digests[j], bindings[i] == bindings[j])
          << "'" << bindings[i].substr(0, 20) << "' vs '"
          << bindings[j].substr(0, 20) << "'";
    }
  }
  EXPECT_EQ(VideoIdSealer::binding_digest("bearer  sk-a "),
            VideoIdSealer::binding_digest("Bearer sk-a"))
      << "one caller however the scheme is spelt";
  VideoIdSealer s({"secret one 0123456789"});
  auto id = s.seal(sample(), "Bearer sk-a");
  EXPECT_FALSE(s.open(id, "Bearer sk-ab"));
  EXPECT_TRUE(s.open(id, "Bearer sk-a"));
  EXPECT_FALSE(s.open(id,
                      "Bearer sk-a "
                      "x"));
}

TEST(VideoId, RejectsTamperedAndRandomIds) {
  VideoIdSealer s({"secret one 0123456789"});
  auto id = s.seal(sample(), "t");
  for (size_t i = 6; i < id.size(); ++i) {
    std::string bad = id;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(s.open(bad, "t")) << "flipped position " << i;
  }
  EXPECT_FALSE(s.open(id.substr(0, id.size() - 1), "t"));
  EXPECT_FALSE(s.open("video_", "t"));
  EXPECT_FALSE(s.open("video_!!!", "t"));
  EXPECT_FALSE(s.open("task_abc", "t"));
  EXPECT_FALSE(s.open("", "t"));
}

TEST(VideoId, RotationKeepsOldIdsOpen) {
  VideoIdSealer old_only({"old key 0123456789"});
  auto old_id = old_only.seal(sample(), "t");
  VideoIdSealer rotated({"new key 0123456789", "old key 0123456789"});
  EXPECT_TRUE(rotated.open(old_id, "t"));
  auto new_id = rotated.seal(sample(), "t");
  EXPECT_FALSE(old_only.open(new_id, "t"));
  EXPECT_TRUE(VideoIdSealer({"new key 0123456789"}).open(new_id, "t"));
  EXPECT_FALSE(VideoIdSealer({"other key 0123456789"}).open(old_id, "t"));
}

// Ids live forever in clients' databases: the same record and caller must
// seal to these exact strings in every release (format v2).
TEST(VideoId, SealsToTheSameIdInEveryRelease) {
  VideoIdSealer sealer({"golden-key-0123456789abcdef"});
  const std::string bearer =
      "video_Ar69mCTRbdv5IH7s7lJQdXKWDQCI0scYGur2maZ48KCsrAGi0knXiD2H_pbwm-FGmH"
      "9Eah1lbWI0-idrtbtdPQyS1-3SeoxCII0EbfJ365iv45udQieZXCQbVxs28UAixoO_"
      "j8blNrPjWntD1ywN410rKqkjmtc";
  EXPECT_EQ(sealer.seal(sample(), "Bearer  sk-test "), bearer);
  EXPECT_EQ(sealer.seal(sample(), "bearer sk-test"), bearer);
  EXPECT_EQ(
      sealer.seal(sample(), "Token x"),
      "video_Ar5ETWopJOUXxKCemp7w12V2_Najsx3QZ-3R3s3A1hmoYSnB1Y4Ixz1MFAhvFC"
      "h_zlzpqgh1YSAMrSmBkNnqKDN2fIwBW0hwhGu96EuaghQbktmPNP7CwsyTaaxHsHtq0"
      "EcFvBq9pYojISo7D-K9fv6ZheRhokY");
  auto opened = sealer.open(bearer, "Bearer sk-test");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, sample());
}

}  // namespace
}  // namespace vgw
