#include <gtest/gtest.h>

#include <string>

#include "net/http_request_writer.hpp"
#include "net/http_response_reader.hpp"

namespace vgw {
namespace {

using State = HttpResponseReader::State;

// Feeds `wire` in pieces of `step` bytes, as a socket may deliver it.
HttpResponseReader read_in_pieces(const std::string& wire, size_t step,
                                  size_t limit = 1 << 20) {
  HttpResponseReader reader(limit);
  size_t at = 0;
  while (at < wire.size() && !reader.done()) {
    std::string_view piece = std::string_view(wire).substr(at, step);
    size_t used = reader.feed(piece);
    at += used;
    if (used < piece.size()) break;
  }
  return reader;
}

TEST(HttpResponseReader, ReadsALengthFramedReplyInAnyPieces) {
  std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      "Content-Length: 11\r\n\r\n{\"code\":0}\n";
  for (size_t step : {1, 2, 3, 7, 64, 4096}) {
    auto r = read_in_pieces(wire, step);
    ASSERT_EQ(r.state(), State::complete) << step;
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.body(), "{\"code\":0}\n");
    ASSERT_EQ(r.headers().size(), 2u);
    EXPECT_EQ(r.headers()[0].name, "Content-Type");
    EXPECT_EQ(r.headers()[0].value, "application/json");
    EXPECT_TRUE(r.reusable());
    EXPECT_FALSE(r.truncated());
  }
}

TEST(HttpResponseReader, DecodesChunkedBodiesAndDropsTrailers) {
  std::string wire =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
      "0\r\nX-Trailer: yes\r\n\r\n";
  for (size_t step : {1, 5, 4096}) {
    auto r = read_in_pieces(wire, step);
    ASSERT_EQ(r.state(), State::complete) << step;
    EXPECT_EQ(r.status(), 201);
    EXPECT_EQ(r.body(), "Wikipedia in\r\n\r\nchunks.");
    EXPECT_TRUE(r.reusable());
  }
}

TEST(HttpResponseReader, LeavesBytesAfterTheResponseUnconsumed) {
  std::string first = "HTTP/1.1 204 No Content\r\nX: 1\r\n\r\n";
  HttpResponseReader r(1024);
  EXPECT_EQ(r.feed(first + "HTTP/1.1 200 OK\r\n"), first.size());
  EXPECT_EQ(r.state(), State::complete);
  EXPECT_TRUE(r.body().empty());
}

TEST(HttpResponseReader, SkipsInterimResponses) {
  auto r = read_in_pieces(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      3);
  ASSERT_EQ(r.state(), State::complete);
  EXPECT_EQ(r.status(), 200);
  ASSERT_EQ(r.headers().size(), 1u);
  EXPECT_EQ(r.body(), "ok");
}

TEST(HttpResponseReader, ABodyUntilCloseEndsWithTheConnection) {
  HttpResponseReader r(1024);
  r.feed("HTTP/1.0 200 OK\r\n\r\npartial ");
  r.feed("and the rest");
  EXPECT_EQ(r.state(), State::body);
  r.end_of_input();
  EXPECT_EQ(r.state(), State::complete);
  EXPECT_EQ(r.body(), "partial and the rest");
  EXPECT_FALSE(r.reusable());
  EXPECT_FALSE(r.truncated());
}

TEST(HttpResponseReader, ACutBodyIsTruncated) {
  for (std::string wire :
       {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n",
        "HTTP/1.1 200 OK\r\nContent-Le"}) {
    HttpResponseReader r(1024);
    r.feed(wire);
    EXPECT_FALSE(r.done()) << wire;
    r.end_of_input();
    EXPECT_EQ(r.state(), State::malformed) << wire;
    EXPECT_TRUE(r.truncated()) << wire;
    EXPECT_FALSE(r.reusable());
  }
  HttpResponseReader none(1024);
  none.end_of_input();
  EXPECT_FALSE(none.got_head());
  EXPECT_TRUE(none.truncated());
}

TEST(HttpResponseReader, RefusesBodiesOverTheLimit) {
  HttpResponseReader announced(10);
  announced.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(announced.state(), State::too_large);
  EXPECT_EQ(announced.status(), 200);

  HttpResponseReader chunked(10);
  chunked.feed(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n");
  EXPECT_EQ(chunked.state(), State::body);
  chunked.feed("5\r\n");
  EXPECT_EQ(chunked.state(), State::too_large);
  EXPECT_TRUE(chunked.body().empty());

  HttpResponseReader until_close(10);
  until_close.feed("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789");
  EXPECT_EQ(until_close.state(), State::body);
  until_close.feed("x");
  EXPECT_EQ(until_close.state(), State::too_large);
}

TEST(HttpResponseReader, RefusesMalformedHeads) {
  for (std::string wire : {
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "ICY 200 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
           "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           "1000000000000000\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
       }) {
    HttpResponseReader r(1 << 20);
    r.feed(wire);
    EXPECT_EQ(r.state(), State::malformed) << wire;
    EXPECT_FALSE(r.reusable()) << wire;
  }
}

TEST(HttpResponseReader, BoundsTheHead) {
  HttpResponseReader r(1024, 256);
  std::string wire = "HTTP/1.1 200 OK\r\nX: " + std::string(300, 'a');
  EXPECT_EQ(r.feed(wire), 256u);
  EXPECT_EQ(r.state(), State::malformed);
}

TEST(HttpResponseReader, KnowsWhenTheConnectionCanBeReused) {
  auto reusable = [](const std::string& wire) {
    HttpResponseReader r(1024);
    r.feed(wire);
    return r.reusable();
  };
  EXPECT_TRUE(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(reusable(
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(reusable(
      "HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: "
      "0\r\n\r\n"));
  EXPECT_FALSE(reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(
      reusable("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: "
               "0\r\n\r\n"));
  // Both framings at once: read as chunked, never trusted for reuse.
  EXPECT_FALSE(
      reusable("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
               "chunked\r\n\r\n0\r\n\r\n"));
  // Line ends without CR are read as well.
  EXPECT_TRUE(reusable("HTTP/1.1 200 OK\nContent-Length: 0\n\n"));
}

UpstreamCall call(std::string method, Headers headers, std::string body = "") {
  UpstreamCall c;
  c.method = std::move(method);
  c.headers = std::move(headers);
  c.body = std::move(body);
  return c;
}

TEST(HttpRequestWriter, WritesTheHeadWithItsOwnFramingHeaders) {
  std::string out;
  ASSERT_TRUE(write_request_head(call("POST",
                                      {{"Content-Type", "application/json"},
                                       {"Host", "spoofed"},
                                       {"content-length", "999"},
                                       {"Connection", "close"},
                                       {"Authorization", "Bearer k"}},
                                      "{}"),
                                 "/v1/videos?x=1", "api.example.com", out));
  EXPECT_EQ(out,
            "POST /v1/videos?x=1 HTTP/1.1\r\nHost: api.example.com\r\n"
            "Content-Type: application/json\r\nAuthorization: Bearer k\r\n"
            "Content-Length: 2\r\n\r\n");
  ASSERT_TRUE(write_request_head(call("GET", {}), "/t", "h:8080", out));
  EXPECT_EQ(out, "GET /t HTTP/1.1\r\nHost: h:8080\r\n\r\n");
  ASSERT_TRUE(write_request_head(call("PUT", {}), "/t", "h", out));
  EXPECT_EQ(out, "PUT /t HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpRequestWriter, CountsSplicedBodyPieces) {
  UpstreamCall c = call("POST", {}, "{\"image\":\"\"}");
  static const std::string image = "AAAA";
  c.inserts.push_back({10, image, nullptr});
  std::string out;
  ASSERT_TRUE(write_request_head(c, "/", "h", out));
  EXPECT_NE(out.find("Content-Length: 16\r\n"), std::string::npos);
}

TEST(HttpRequestWriter, RefusesAnythingThatCouldSplitTheRequest) {
  std::string out;
  EXPECT_FALSE(
      write_request_head(call("GET", {{"X", "a\r\nEvil: 1"}}), "/", "h", out));
  EXPECT_FALSE(
      write_request_head(call("GET", {{"X\r\nEvil", "1"}}), "/", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {{"", "1"}}), "/", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {{"X", std::string("a\0b", 3)}}),
                                  "/", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {}), "/a b", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {}), "/a\r\n", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {}), "a", "h", out));
  EXPECT_FALSE(write_request_head(call("GET", {}), "/", "h\r\nX: y", out));
  EXPECT_FALSE(write_request_head(call("GET", {}), "/", "", out));
  EXPECT_FALSE(write_request_head(call("G T", {}), "/", "h", out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vgw
