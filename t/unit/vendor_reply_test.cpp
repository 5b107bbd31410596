#include <gtest/gtest.h>

#include <zlib.h>

#include <list>

#include "crypto/crypto.hpp"
#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"
#include "translate/reply_encoding.hpp"
#include "translate/vendor.hpp"
#include "translate/vendor_data.hpp"
#include "translate/video_state.hpp"

namespace vgw {
namespace {

std::string compress(std::string_view data, int window) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Replies view their body: the bodies of these tests live to the end.
UpstreamReply encoded(std::string body, const std::string& coding) {
  static std::list<std::string> bodies;
  bodies.push_back(std::move(body));
  UpstreamReply r;
  r.status = 200;
  r.body = bodies.back();
  r.headers = {{"Content-Type", "application/json"},
               {"Content-Encoding", coding}};
  return r;
}

TEST(ReplyEncoding, DecodesGzipAndBothDeflates) {
  const std::string json = R"({"code":0,"data":{"task_id":"123"}})";
  for (auto [coding, window] : {std::pair<const char*, int>{"gzip", 16 + 15},
                                {"x-gzip", 16 + 15},
                                {"deflate", 15},
                                {"deflate", -15},
                                {"GZIP", 16 + 15}}) {
    std::string packed = compress(json, window);
    UpstreamReply r = encoded(packed, coding);
    std::string storage;
    EXPECT_EQ(decode_reply_body(r, storage, 1 << 20), ReplyDecoding::decoded)
        << coding << window;
    EXPECT_EQ(r.body, json);
    EXPECT_FALSE(find_header(r.headers, "content-encoding"));
  }
  std::string twice = compress(json.substr(0, 10), 16 + 15) +
                      compress(json.substr(10), 16 + 15);
  UpstreamReply members = encoded(twice, "gzip");
  std::string storage;
  EXPECT_EQ(decode_reply_body(members, storage, 1 << 20),
            ReplyDecoding::decoded);
  EXPECT_EQ(members.body, json);
}

TEST(ReplyEncoding, RefusesWhatItCannotReadAndBombs) {
  std::string storage;
  UpstreamReply br = encoded("{}", "br");
  EXPECT_EQ(decode_reply_body(br, storage, 1 << 20),
            ReplyDecoding::unsupported);
  std::string packed = compress(std::string(1000, 'x'), 16 + 15);
  UpstreamReply cut = encoded(packed.substr(0, packed.size() / 2), "gzip");
  EXPECT_EQ(decode_reply_body(cut, storage, 1 << 20), ReplyDecoding::corrupt);
  UpstreamReply garbage = encoded("not gzip at all", "gzip");
  EXPECT_EQ(decode_reply_body(garbage, storage, 1 << 20),
            ReplyDecoding::corrupt);
  std::string bomb = compress(std::string(64 << 20, '\0'), 16 + 15);
  EXPECT_LT(bomb.size(), 128u * 1024);
  UpstreamReply big = encoded(bomb, "gzip");
  EXPECT_EQ(decode_reply_body(big, storage, 1 << 20), ReplyDecoding::too_large);
  UpstreamReply plain;
  plain.body = "{}";
  EXPECT_EQ(decode_reply_body(plain, storage, 1 << 20),
            ReplyDecoding::unchanged);
  UpstreamReply identity = encoded("{}", "identity");
  EXPECT_EQ(decode_reply_body(identity, storage, 1 << 20),
            ReplyDecoding::unchanged);
  EXPECT_EQ(identity.body, "{}");
}

TEST(VendorData, TaskIdsThatCannotGoIntoUrls) {
  for (const char* id :
       {"123456", "cgt-2025-abc", "task_01J:x@y=z,1~.", "A-b"}) {
    EXPECT_FALSE(task_id_problem(id, false)) << id;
  }
  for (const char* id : {"", "a/b", "..", ".", "a b", "a?b", "a#b", "a%2f",
                         "a\\b", "a\nb", "\"a\"", "a&b"}) {
    EXPECT_TRUE(task_id_problem(id, false)) << id;
  }
  EXPECT_TRUE(task_id_problem(std::string(513, 'a'), false));
  EXPECT_FALSE(task_id_problem("models/veo-3/operations/abc", true));
  EXPECT_TRUE(task_id_problem("models/../files", true));
  EXPECT_TRUE(task_id_problem("models//x", true));
  EXPECT_TRUE(task_id_problem("/models/x", true));
}

class VendorReplies : public ::testing::Test {
 protected:
  void SetUp() override {
    VendorSettings settings;
    settings.base_url = "https://kling.test";
    settings.credentials = {{"access_key", "AK-visible"},
                            {"secret_key", "SK-very-secret"}};
    vendor = std::make_unique<Vendor>(
        load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml"), settings);
  }
  std::unique_ptr<Vendor> vendor;
};

TEST_F(VendorReplies, TextIsCappedCleanedAndRedacted) {
  std::string text =
      "bad \x01\r\nkey SK-very-secret " + std::string(2 << 20, 'y');
  std::string safe = client_safe_text(*vendor, text, 500);
  EXPECT_LE(safe.size(), 503u);
  EXPECT_EQ(safe.find("SK-very-secret"), std::string::npos);
  EXPECT_EQ(safe.find('\r'), std::string::npos);
  EXPECT_EQ(safe.substr(safe.size() - 3), "...");
  // Cut on a character boundary.
  std::string cjk;
  for (int i = 0; i < 300; ++i) cjk += "\xe8\xa7\x86";  // 视
  std::string cut = client_safe_text(*vendor, cjk, 100);
  EXPECT_EQ((cut.size() - 3) % 3, 0u);
}

TEST_F(VendorReplies, OutOfRangeTimesReadAsMissing) {
  VideoRecord record;
  record.vendor = "kling";
  record.kind = "text2video";
  record.model = "kling-v2-6";
  record.created_at = 1764500000;
  for (const char* updated :
       {"1e300", "-5", "1e20", "\"NaN\"", "null", "9e18"}) {
    std::string text =
        std::string(
            R"({"code":0,"data":{"task_status":"succeed","updated_at":)") +
        updated + "}}";
    VideoView v =
        read_video_state(*vendor, JsonDocument(text), record, 1764500100);
    EXPECT_EQ(v.status, VideoStatus::completed);
    EXPECT_FALSE(v.completed_at) << updated;
    EXPECT_FALSE(v.expires_at) << updated;
  }
  JsonDocument fine(
      R"({"code":0,"data":{"task_status":"succeed","updated_at":1764500090000}})");
  EXPECT_EQ(read_video_state(*vendor, fine, record, 1764500100).completed_at,
            1764500090);
}

TEST(Crypto, IncrementalSha256MatchesOneShot) {
  crypto::Sha256 h;
  h.update("hello ");
  h.update("");
  h.update("world");
  EXPECT_EQ(h.finish(), crypto::sha256("hello world"));
}

}  // namespace
}  // namespace vgw

namespace vgw {
namespace {

TEST(VendorRoutes, CallsToTheVendorHostGoThroughItsUpstreamBlock) {
  VendorSettings settings;
  settings.base_url = "https://api-singapore.klingai.com";
  settings.upstream = "kling_api";
  settings.credentials = {{"access_key", "AK"}, {"secret_key", "SK"}};
  Vendor vendor(load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml"), settings);
  UpstreamCall call;
  call.url = vendor.url_for("/v1/videos/text2video/123?x=1");
  vendor.sign(call, 1764500000);
  EXPECT_EQ(call.url, "https://kling_api/v1/videos/text2video/123?x=1");
  EXPECT_EQ(call.host, "api-singapore.klingai.com");
  EXPECT_EQ(call.server_name, "api-singapore.klingai.com");
  EXPECT_TRUE(find_header(call.headers, "Authorization"));
  UpstreamCall cdn;
  cdn.url = "https://cdn.klingai.com/v.mp4";
  vendor.route(cdn);
  EXPECT_EQ(cdn.url, "https://cdn.klingai.com/v.mp4");
  EXPECT_EQ(cdn.host, "cdn.klingai.com");  // its own, not base_url's
  EXPECT_EQ(cdn.server_name, "cdn.klingai.com");
  settings.upstream = "kling api/x";
  EXPECT_THROW(
      Vendor(load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml"), settings),
      RuleError);
}

// Every URL a vendor call can have is split exactly as parse_url splits
// it, whatever base_url looks like.
TEST(VendorRoutes, CallUrlsSplitAsParseUrlSplitsThem) {
  for (const char* base :
       {"https://api-singapore.klingai.com", "https://API.Example.com:8443",
        "http://127.0.0.1:9", "http://h/api", "https://h/api/v2",
        "https://h/api?key=1", "https://[::1]:9443/x", "http://h:80"}) {
    VendorSettings settings;
    settings.base_url = base;
    settings.credentials = {{"access_key", "AK"}, {"secret_key", "SK"}};
    Vendor vendor(load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml"), settings);
    for (const char* path : {"/v1/videos/text2video", "/a?b=c#d", "/a#x?y", "/",
                             "//x", "/a?", "/p/%2F?q=%20"}) {
      for (const std::string& url :
           {vendor.url_for(path), std::string(base) + "x" + path,
            std::string("https://other.example") + path}) {
        auto fast = vendor.parse_call_url(url);
        auto full = parse_url(url);
        ASSERT_EQ(fast.has_value(), full.has_value()) << url;
        if (!fast) continue;
        EXPECT_EQ(fast->scheme, full->scheme) << url;
        EXPECT_EQ(fast->host, full->host) << url;
        EXPECT_EQ(fast->authority, full->authority) << url;
        EXPECT_EQ(fast->port, full->port) << url;
        EXPECT_EQ(fast->path, full->path) << url;
        EXPECT_EQ(fast->query, full->query) << url;
      }
    }
  }
}

}  // namespace
}  // namespace vgw
