#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "util/json.hpp"
#include "util/json_reader.hpp"

namespace vgw {
namespace {

TEST(BlockCache, ReusesABlockForAnySizeOfItsClass) {
  BlockCache cache;
  void* a = cache.take(97);
  std::memset(a, 1, 97);
  cache.give(a, 97);
  EXPECT_EQ(cache.kept(), 1u);
  // 97 and 112 bytes share the 112-byte class: the block must hold 112
  // (AddressSanitizer reports the memset otherwise).
  void* b = cache.take(112);
  EXPECT_EQ(b, a);
  std::memset(b, 2, 112);
  EXPECT_EQ(cache.kept(), 0u);
  void* c = cache.take(113);  // the next class: a new block
  EXPECT_NE(c, a);
  std::memset(c, 3, 113);
  cache.give(b, 112);
  cache.give(c, 113);
  cache.release();
  EXPECT_EQ(cache.kept(), 0u);
}

TEST(BlockCache, KeepsABoundedNumberAndNoLargeBlocks) {
  BlockCache cache;
  std::vector<void*> blocks;
  for (size_t i = 0; i < BlockCache::kPerClass + 10; ++i) {
    blocks.push_back(cache.take(16));
  }
  for (void* p : blocks) cache.give(p, 16);
  EXPECT_EQ(cache.kept(), BlockCache::kPerClass);
  void* large = cache.take(BlockCache::kLargest + 1);
  std::memset(large, 0, BlockCache::kLargest + 1);
  cache.give(large, BlockCache::kLargest + 1);
  EXPECT_EQ(cache.kept(), BlockCache::kPerClass);
  cache.release();  // LeakSanitizer checks that everything went back
  EXPECT_EQ(cache.kept(), 0u);
}

TEST(JsonBlocks, DocumentsOutliveTheThreadThatBuiltThem) {
  Json doc;
  std::thread([&] {
    doc = read_json(R"({"a":[1,2,{"b":"a string longer than fifteen"}]})");
  }).join();
  EXPECT_EQ(doc["a"][2]["b"], "a string longer than fifteen");
  std::thread([&] { doc = Json(); }).join();
  EXPECT_TRUE(doc.is_null());
}

}  // namespace
}  // namespace vgw
