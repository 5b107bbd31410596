#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ids/request_id.hpp"

namespace vgw {
namespace {

std::string next_id(RequestIdGenerator& g) {
  std::string id(RequestIdGenerator::kLength, '\0');
  g.next(id.data());
  return id;
}

TEST(RequestId, HasTheShapeOfNginxRequestId) {
  RequestIdGenerator g(1, 2);
  for (int i = 0; i < 100; ++i) {
    std::string id = next_id(g);
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos)
        << id;
  }
}

TEST(RequestId, NeverRepeatsWithinAWorker) {
  RequestIdGenerator g(0, 0);  // even the worst seed
  std::set<std::string> seen;
  for (int i = 0; i < 200000; ++i) ASSERT_TRUE(seen.insert(next_id(g)).second);
}

TEST(RequestId, WorkersWithDifferentSeedsDoNotShareIds) {
  RequestIdGenerator a(0x1234, 0x5678), b(0x1235, 0x5678);
  std::set<std::string> seen;
  for (int i = 0; i < 50000; ++i) {
    ASSERT_TRUE(seen.insert(next_id(a)).second);
    ASSERT_TRUE(seen.insert(next_id(b)).second);
  }
}

}  // namespace
}  // namespace vgw
