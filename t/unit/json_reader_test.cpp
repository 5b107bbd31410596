#include <gtest/gtest.h>

#include <string>

#include "util/json_document.hpp"
#include "util/json_reader.hpp"
#include "rules/json_path.hpp"

namespace vgw {
namespace {

using Json = nlohmann::json;

// Parsed by both, the same value of the same types (nlohmann's == would
// call 1 and 1.0 equal).
::testing::AssertionResult same_as_nlohmann(const std::string& text) {
  Json ours = read_json(text);
  Json theirs = Json::parse(text, nullptr, false);
  if (ours.is_discarded() != theirs.is_discarded()) {
    return ::testing::AssertionFailure()
           << "accepted by " << (ours.is_discarded() ? "nlohmann" : "us")
           << " only: " << text;
  }
  if (!ours.is_discarded() &&
      (ours.dump() != theirs.dump() || ours.type() != theirs.type())) {
    return ::testing::AssertionFailure()
           << ours.dump() << " vs " << theirs.dump();
  }
  return ::testing::AssertionSuccess();
}

TEST(JsonReader, ReadsDocumentsAsNlohmannDoes) {
  for (const char* text : {
           R"({"model":"kling-v2-6","prompt":"a cat","seconds":"5"})",
           R"({"code":0,"data":{"task_id":"81","created_at":1764500000000}})",
           " [1, -1, 0, -0, 1.5, -0.0, 1e3, 1E-3, 2.5e+2] ",
           "true",
           "null",
           "\"x\"",
           "{}",
           "[]",
           "[[],[{}]]",
           "\xEF\xBB\xBF{\"a\":1}",
           R"({"a":1,"a":2,"b":{"a":3},"a":[4]})",
           R"(["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "\u0000"])",
           "\"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\"",
           "18446744073709551615",
           "18446744073709551616",
           "-9223372036854775808",
           "-9223372036854775809",
           "123456789012345678901234567890",
           "1e-400",
           "0.1",
       }) {
    EXPECT_TRUE(same_as_nlohmann(text));
  }
}

TEST(JsonReader, RefusesWhatNlohmannRefuses) {
  for (const char* text : {
           "",
           " ",
           "{",
           "}",
           "[1,]",
           "{\"a\":1,}",
           "{\"a\" 1}",
           "{a:1}",
           "[1 2]",
           "01",
           "1.",
           ".5",
           "-",
           "+1",
           "1e",
           "1e+",
           "0x10",
           "tru",
           "truex",
           "nul",
           "NaN",
           "Infinity",
           "1e400",
           "-1e400",
           "{} {}",
           "\"a",
           "\"\\x\"",
           "\"\\u12\"",
           "\"\\ud800\"",
           "\"\\udc00\"",
           "\"\\ud800\\u0041\"",
           "\"a\tb\"",
           "\"\xC3\"",
           "\"\xC0\xAF\"",
           "\"\xED\xA0\x80\"",
           "\"\xF4\x90\x80\x80\"",
           "\xEF\xBB{}",
           "\xEF",
           "'a'",
       }) {
    EXPECT_TRUE(same_as_nlohmann(text));
    EXPECT_TRUE(read_json(text).is_discarded()) << text;
  }
  const std::string nul_after("[1]\0", 4), nul_inside("\"a\0b\"", 5);
  EXPECT_TRUE(read_json(nul_after).is_discarded());
  EXPECT_TRUE(read_json(nul_inside).is_discarded());
  // nlohmann's lexer takes a NUL byte for the end of the input and ignores
  // what follows; a document is the whole body here.
  EXPECT_FALSE(Json::parse(nul_after, nullptr, false).is_discarded());
}

TEST(JsonReader, KeepsIntegerKinds) {
  EXPECT_TRUE(read_json("7").is_number_unsigned());
  EXPECT_TRUE(read_json("-7").is_number_integer());
  EXPECT_FALSE(read_json("-7").is_number_unsigned());
  EXPECT_TRUE(read_json("18446744073709551616").is_number_float());
  EXPECT_EQ(read_json("-9223372036854775808").get<int64_t>(), INT64_MIN);
}

TEST(JsonReader, RefusesDocumentsNestedTooDeep) {
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  EXPECT_FALSE(read_json(ok).is_discarded());
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(read_json(deep).is_discarded());
  std::string objects;
  for (int i = 0; i <= kMaxJsonDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kMaxJsonDepth + 1, '}');
  EXPECT_TRUE(read_json(objects).is_discarded());
}

TEST(JsonDocument, HoldsWhatTheReaderReads) {
  for (const char* text : {
           R"({"code":0,"data":{"task_id":"81","created_at":1764500000000}})",
           " [1, -1, 0, -0, 1.5, -0.0, 1e3, 1E-3, 2.5e+2, 1e400] ",
           R"({"a\u00e9":"x\ny","b":[true,false,null,{}],"c":[]})",
           "\xEF\xBB\xBF{\"bom\":1}",
           "18446744073709551616",
           "\"\\ud83d\\ude00\"",
           R"({"a":1,"a":2})",
           "{\"a\":1,}",
           "[1 2]",
           "",
           "nul",
       }) {
    Json dom = read_json(text);
    vgw::JsonDocument doc(text);
    EXPECT_EQ(doc.ok(), !dom.is_discarded()) << text;
    if (doc.ok()) {
      EXPECT_EQ(doc.copy(doc.root()).dump(), dom.dump()) << text;
    }
  }
}

TEST(JsonDocument, RefusesWhatTheReaderRefusesForDepth) {
  for (int depth : {kMaxJsonDepth, kMaxJsonDepth + 1}) {
    std::string arrays(static_cast<size_t>(depth), '[');
    arrays += std::string(static_cast<size_t>(depth), ']');
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(static_cast<size_t>(depth), '}');
    for (const std::string& text : {arrays, objects}) {
      JsonDocument doc(text);
      EXPECT_EQ(doc.ok(), depth <= kMaxJsonDepth) << depth;
      EXPECT_EQ(doc.ok(), !read_json(text).is_discarded()) << depth;
    }
  }
}

TEST(JsonDocument, FindsMembersAndItems) {
  std::string text =
      R"({"code":0,"data":{"task_status":"succeed","task_result":)"
      R"({"videos":[{"url":"u0"},{"url":"u1"}]}},"k\u0065y":"escaped",)"
      R"("dup":1,"dup":{"last":true}})";
  JsonDocument doc(text);
  ASSERT_TRUE(doc.ok());
  auto find = [&](const char* path) { return JsonPath::parse(path).find(doc); };
  ASSERT_NE(find("code"), nullptr);
  EXPECT_EQ(*find("code"), 0);
  EXPECT_EQ(*find("data.task_status"), "succeed");
  EXPECT_EQ(*find("data.task_result.videos[1].url"), "u1");
  EXPECT_EQ(find("data.task_result.videos[2].url"), nullptr);
  EXPECT_EQ(find("data.task_status.more"), nullptr);
  EXPECT_EQ(find("code[0]"), nullptr);
  EXPECT_EQ(find("missing"), nullptr);
  EXPECT_EQ(*find("key"), "escaped");
  EXPECT_EQ(*find("dup.last"), true);
  // A value is built once and stays where it is.
  EXPECT_EQ(find("data.task_status"), find("data.task_status"));
  JsonDocument none("not json");
  EXPECT_EQ(JsonPath::parse("code").find(none), nullptr);
  EXPECT_FALSE(none.is_object(none.root()));
}

}  // namespace
}  // namespace vgw
