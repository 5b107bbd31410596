#include <gtest/gtest.h>

#include "store/store_snapshot.hpp"

namespace vgw {
namespace {

std::string sample() {
  SnapshotWriter w;
  w.add("idem:abc", "D{\"id\":\"video_1\"}", 1796250000123);
  w.add("breaker:kling", "", 0);
  w.add("bin\n\0key", std::string("\0\xff", 2), 42, true);
  return w.finish();
}

TEST(StoreSnapshot, RoundTripsKeysValuesAndExpiries) {
  auto entries = read_snapshot(sample());
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].key, "idem:abc");
  EXPECT_EQ((*entries)[0].value, "D{\"id\":\"video_1\"}");
  EXPECT_EQ((*entries)[0].expires_at_ms, 1796250000123);
  EXPECT_EQ((*entries)[1].value, "");
  EXPECT_EQ((*entries)[1].expires_at_ms, 0);
  EXPECT_EQ((*entries)[2].value, std::string("\0\xff", 2));
  EXPECT_FALSE((*entries)[0].evictable);
  EXPECT_TRUE((*entries)[2].evictable) << "a catalogue copy stays evictable";
  auto empty = read_snapshot(SnapshotWriter().finish());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(StoreSnapshot, ADamagedOrForeignFileIsRefusedWhole) {
  std::string good = sample();
  EXPECT_FALSE(read_snapshot(""));
  EXPECT_FALSE(read_snapshot("{\"not\":\"a snapshot\"}"));
  EXPECT_FALSE(read_snapshot(good.substr(0, good.size() - 1))) << "cut short";
  for (size_t at : {size_t(5), good.size() / 2, good.size() - 40}) {
    std::string flipped = good;
    flipped[at] ^= 0x01;
    EXPECT_FALSE(read_snapshot(flipped)) << "a bit flipped at " << at;
  }
  EXPECT_FALSE(read_snapshot(good + "x")) << "trailing bytes";
}

}  // namespace
}  // namespace vgw
