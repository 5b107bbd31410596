#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "util/json_writer.hpp"

namespace vgw {
namespace {

std::string nlohmann_dump(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false,
                                nlohmann::json::error_handler_t::replace);
}

// Strings are written exactly as nlohmann writes them, escapes and the
// replacement of malformed UTF-8 included, for any bytes at all.
TEST(JsonWriter, StringsMatchNlohmannForAnyBytes) {
  for (std::string s :
       {std::string("plain"), std::string("q\"b\\s/"),
        std::string("\x01\x1f\n\t\r\b\f\x7f"),
        std::string("caf\xc3\xa9 \xf0\x9f\x98\x80"),
        std::string("bad \xff end"), std::string("trunc \xe2\x82"),
        std::string("\xe2\x82 a"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
        std::string("\0nul", 4)}) {
    std::string mine;
    append_json_string(mine, s);
    EXPECT_EQ(mine, nlohmann_dump(s));
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 24, '\0');
    for (auto& c : s) {
      // Mostly bytes around the interesting ranges.
      unsigned r = rng() % 4;
      c = static_cast<char>(r == 0   ? rng() % 0x20
                            : r == 1 ? 0x80 + rng() % 0x80
                            : r == 2 ? 0xC0 + rng() % 0x40
                                     : 0x20 + rng() % 0x60);
    }
    std::string mine;
    append_json_string(mine, s);
    ASSERT_EQ(mine, nlohmann_dump(s)) << i;
  }
}

TEST(JsonWriter, ObjectsWithCommasInTheRightPlaces) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a").number(-1);
  w.key("b").null();
  w.key("c");
  w.begin_object();
  w.key("d").string("e");
  w.end_object();
  w.key("f").raw("[1,2]");
  w.end_object();
  EXPECT_EQ(out, R"({"a":-1,"b":null,"c":{"d":"e"},"f":[1,2]})");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

}  // namespace
}  // namespace vgw
