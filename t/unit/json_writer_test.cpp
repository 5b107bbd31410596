#include <gtest/gtest.h>

#include <climits>
#include <cmath>
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
  w.finish();
  EXPECT_EQ(out, R"({"a":-1,"b":null,"c":{"d":"e"},"f":[1,2]})");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

// The writer sizes its string once and writes through a cursor: text that
// outgrows the first guess (escapes, long values) must still come out
// whole, after what the string already held, and escaped as nlohmann does.
TEST(JsonWriter, GrowsPastItsFirstGuessAndKeepsWhatWasThere) {
  std::mt19937 rng(11);
  for (int i = 0; i < 500; ++i) {
    std::string value(rng() % 700, '\0');
    for (auto& c : value) {
      c = static_cast<char>(rng() % 3 == 0 ? rng() % 0x20
                                           : 0x20 + rng() % 0xE0);
    }
    std::string out = "prefix";
    {
      JsonWriter w(out, rng() % 8);
      w.begin_object();
      w.key("v").string(value);
      w.key("n").number(INT64_MIN);
      w.key("w").string(std::string(rng() % 300, 'x'));
      w.end_object();
      w.finish();
    }
    ASSERT_EQ(out.rfind("prefix{\"v\":", 0), 0u) << i;
    auto doc = nlohmann::json::parse(out.substr(6));
    std::string expected_v = nlohmann_dump(value);
    ASSERT_NE(out.find(expected_v), std::string::npos) << i;
    ASSERT_EQ(doc["n"].get<int64_t>(), INT64_MIN);
  }
  std::string out = "keep";
  {
    JsonWriter w(out, 1000);
    w.begin_object();
  }  // abandoned without finish(): only what was written stays
  EXPECT_EQ(out, "keep{");
}

}  // namespace
}  // namespace vgw

namespace vgw {
namespace {

TEST(JsonWriter, DocumentsMatchNlohmannDump) {
  using Json = nlohmann::json;
  Json doc =
      Json::parse(R"({"b":[1,-2,18446744073709551615,-9223372036854775808,
      0.1,1e300,-0.0,2.5,true,false,null,{}],"a":{"z":"\u00e9\n","y":[]},
      "model_name":"kling-v2-6","prompt":"q\"b\\s/"})");
  doc["bad"] = std::string("bad \xff end");
  doc["nan_is_null"] = std::nan("");
  for (const Json& v : {doc, Json(), Json(3), Json("x"), Json::array()}) {
    std::string mine;
    append_json(mine, v);
    EXPECT_EQ(mine, v.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}

}  // namespace
}  // namespace vgw
