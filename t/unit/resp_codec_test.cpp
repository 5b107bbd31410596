#include <gtest/gtest.h>

#include "store/resp_codec.hpp"

namespace vgw {
namespace {

using Type = RespValue::Type;

StoreCommand command(StoreCommand::Op op, std::string key,
                     std::string value = {}, int64_t ttl = 0, bool nx = false) {
  return StoreCommand{op, std::move(key), std::move(value), ttl, nx};
}

std::string request(const StoreCommand& c, const RespSession* s = nullptr,
                    size_t* replies = nullptr) {
  std::string out;
  size_t n = write_store_request(c, s, out);
  if (replies) *replies = n;
  return out;
}

// Reads `wire` into a reader expecting `n` replies, one byte at a time.
RespReplyReader read_bytewise(std::string_view wire, size_t n,
                              size_t max_bulk = 1024) {
  RespReplyReader r(n, max_bulk);
  for (char c : wire) {
    if (r.done()) break;
    r.feed(std::string_view(&c, 1));
  }
  return r;
}

TEST(RespCodec, WritesCommandsAsArraysOfBulkStrings) {
  std::string out;
  append_resp_command(out, {"GET", std::string_view("a\r\n\0b", 5)});
  EXPECT_EQ(out, std::string("*2\r\n$3\r\nGET\r\n$5\r\na\r\n\0b\r\n", 24));
  EXPECT_EQ(request(command(StoreCommand::Op::set, "k", "v", 60, true)),
            "*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nEX\r\n$2\r\n60\r\n"
            "$2\r\nNX\r\n");
  EXPECT_EQ(request(command(StoreCommand::Op::set, "k", "v")),
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(request(command(StoreCommand::Op::del, "k")),
            "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
}

TEST(RespCodec, AnIncrementWithExpiryCreatesTheKeyFirst) {
  size_t n = 0;
  EXPECT_EQ(request(command(StoreCommand::Op::incr, "c", "5", 60), nullptr, &n),
            "*6\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n0\r\n$2\r\nEX\r\n$2\r\n60\r\n"
            "$2\r\nNX\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\nc\r\n$1\r\n5\r\n");
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(request(command(StoreCommand::Op::incr, "c", "-1"), nullptr, &n),
            "*3\r\n$6\r\nINCRBY\r\n$1\r\nc\r\n$2\r\n-1\r\n");
  EXPECT_EQ(n, 1u);
}

TEST(RespCodec, ANewConnectionAuthenticatesAndSelectsItsDatabase) {
  RespSession s{"", "pw", 3};
  size_t n = 0;
  std::string out = request(command(StoreCommand::Op::get, "k"), &s, &n);
  EXPECT_EQ(out,
            "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(session_replies(s), 2u);
  RespSession user{"gw", "pw", 0};
  EXPECT_EQ(
      request(command(StoreCommand::Op::get, "k"), &user, &n).substr(0, 30),
      "*3\r\n$4\r\nAUTH\r\n$2\r\ngw\r\n$2\r\npw\r\n");
  EXPECT_EQ(n, 2u);
  RespSession none;
  EXPECT_EQ(request(command(StoreCommand::Op::get, "k"), &none, &n),
            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  EXPECT_EQ(session_replies(none), 0u);
}

TEST(RespCodec, ReadsEveryTypeInAnyPieces) {
  using namespace std::string_literals;
  std::string wire =
      "+OK\r\n-ERR bad\r\n:-42\r\n$5\r\na\r\nb\0\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0"
      "\r\n\r\n*-1\r\n"s;
  RespReplyReader r = read_bytewise(wire, 7);
  ASSERT_TRUE(r.done());
  ASSERT_FALSE(r.failed());
  const auto& v = r.replies();
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v[0].type, Type::simple);
  EXPECT_EQ(v[0].text, "OK");
  EXPECT_EQ(v[1].type, Type::error);
  EXPECT_EQ(v[1].text, "ERR bad");
  EXPECT_EQ(v[2].type, Type::integer);
  EXPECT_EQ(v[2].integer, -42);
  EXPECT_EQ(v[3].type, Type::bulk);
  EXPECT_EQ(v[3].text, std::string("a\r\nb", 4) + std::string(1, '\0'));
  EXPECT_EQ(v[4].type, Type::nil);
  ASSERT_EQ(v[5].type, Type::array);
  ASSERT_EQ(v[5].elements.size(), 2u);
  EXPECT_EQ(v[5].elements[1].elements.at(0).type, Type::bulk);
  EXPECT_EQ(v[5].elements[1].elements.at(0).text, "");
  EXPECT_EQ(v[6].type, Type::nil);
  EXPECT_TRUE(r.reusable());
}

TEST(RespCodec, LeavesWhatFollowsTheExpectedReplies) {
  RespReplyReader r(1, 1024);
  EXPECT_EQ(r.feed("$2\r\nhi\r\n+EXTRA\r\n"), 8u);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.replies().at(0).text, "hi");
  RespReplyReader split(2, 1024);
  EXPECT_EQ(split.feed("+OK\r\n:1"), 7u);
  EXPECT_FALSE(split.done());
  EXPECT_EQ(split.feed("\r\n:2\r\n"), 2u);
  EXPECT_TRUE(split.done());
  EXPECT_EQ(split.replies().at(1).integer, 1);
}

TEST(RespCodec, RefusesMalformedAndOversizedReplies) {
  for (std::string bad :
       {"+OK\n", "?x\r\n", ":12a\r\n", ":+1\r\n", ":\r\n",
        ":99999999999999999999\r\n", "$-2\r\n", "$+1\r\nx\r\n", "$ 1\r\nx\r\n",
        "$01\r\nx\r\n", "$3\r\nabcd\r\n", "$2000\r\n", "*-5\r\n", "*2000\r\n",
        "+a\rb\r\n"}) {
    RespReplyReader r = read_bytewise(bad, 1);
    EXPECT_TRUE(r.failed()) << bad;
    EXPECT_FALSE(r.reusable());
    RespReplyReader whole(1, 1024);
    whole.feed(bad);
    EXPECT_TRUE(whole.failed()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 9; ++i) deep += "*1\r\n";
  deep += ":1\r\n";
  EXPECT_TRUE(read_bytewise(deep, 1).failed());
  std::string eight = deep.substr(4);
  EXPECT_FALSE(read_bytewise(eight, 1).failed()) << "eight levels are fine";
  RespReplyReader long_line(1, 1024);
  long_line.feed("+" + std::string(70 * 1024, 'a'));
  EXPECT_TRUE(long_line.failed());
}

TEST(RespCodec, AConnectionClosedMidReplyFails) {
  RespReplyReader r(2, 1024);
  r.feed("+OK\r\n$5\r\nab");
  EXPECT_FALSE(r.done());
  r.end_of_input();
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.failed());
  EXPECT_FALSE(store_reply_from(command(StoreCommand::Op::get, "k"), r, 1).ok);
}

StoreReply answer(const StoreCommand& c, std::string_view wire,
                  size_t skip = 0) {
  std::string scratch;
  size_t n = write_store_request(c, nullptr, scratch) + skip;
  RespReplyReader r(n, 1024);
  r.feed(wire);
  return store_reply_from(c, r, skip);
}

TEST(RespCodec, RepliesMeanWhatTheEmbeddedStoreAnswers) {
  auto get = command(StoreCommand::Op::get, "k");
  StoreReply found = answer(get, "$1\r\nv\r\n");
  EXPECT_TRUE(found.ok);
  EXPECT_EQ(found.value, "v");
  StoreReply missing = answer(get, "$-1\r\n");
  EXPECT_TRUE(missing.ok);
  EXPECT_FALSE(missing.value);
  EXPECT_FALSE(answer(get, "-WRONGTYPE x\r\n").ok);
  EXPECT_FALSE(answer(get, "*0\r\n").ok) << "an array is no value";

  auto set_nx = command(StoreCommand::Op::set, "k", "v", 10, true);
  EXPECT_TRUE(answer(set_nx, "+OK\r\n").done);
  StoreReply taken = answer(set_nx, "$-1\r\n");
  EXPECT_TRUE(taken.ok);
  EXPECT_FALSE(taken.done);
  EXPECT_FALSE(answer(set_nx, "-OOM command not allowed\r\n").ok);

  auto del = command(StoreCommand::Op::del, "k");
  EXPECT_TRUE(answer(del, ":1\r\n").done);
  StoreReply gone = answer(del, ":0\r\n");
  EXPECT_TRUE(gone.ok);
  EXPECT_FALSE(gone.done);

  auto incr = command(StoreCommand::Op::incr, "c", "2", 60);
  StoreReply sum = answer(incr, "+OK\r\n:2\r\n");
  EXPECT_TRUE(sum.done);
  EXPECT_EQ(sum.value, "2");
  EXPECT_EQ(answer(incr, "$-1\r\n:7\r\n").value, "7") << "the key existed";
  StoreReply text = answer(incr,
                           "$-1\r\n-ERR value is not an integer or out of "
                           "range\r\n");
  EXPECT_TRUE(text.ok);
  EXPECT_FALSE(text.done);
  EXPECT_FALSE(answer(incr, "-READONLY replica\r\n:1\r\n").ok);
  EXPECT_FALSE(answer(incr, "+OK\r\n-LOADING\r\n").ok);
  EXPECT_FALSE(answer(command(StoreCommand::Op::incr, "c", "x"), ":1\r\n").ok)
      << "an increment that is no number";
}

TEST(RespCodec, TheSessionsRepliesMustAllBeOk) {
  auto get = command(StoreCommand::Op::get, "k");
  EXPECT_TRUE(answer(get, "+OK\r\n+OK\r\n$1\r\nv\r\n", 2).ok);
  EXPECT_FALSE(answer(get, "-WRONGPASS invalid\r\n+OK\r\n$1\r\nv\r\n", 2).ok);
  EXPECT_FALSE(answer(get, "+OK\r\n-ERR DB index\r\n$1\r\nv\r\n", 2).ok);
  EXPECT_FALSE(answer(get, "-NOAUTH Authentication required.\r\n").ok);
}

}  // namespace
}  // namespace vgw
