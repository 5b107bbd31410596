#include <gtest/gtest.h>

#include "api/client_request.hpp"
#include "api/large_strings.hpp"
#include "client_call.hpp"
#include "gateway.hpp"
#include "util/base64.hpp"
#include "util/byte_buffer.hpp"

namespace vgw {
namespace {

std::string png_bytes(size_t size) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png.resize(size);
  for (size_t i = 8; i < size; ++i) png[i] = static_cast<char>(i * 31 + 7);
  return png;
}

TEST(ByteBuffer, GrowsWithoutLosingBytesAndReleasesWholePages) {
  ByteBuffer b;
  std::string chunk(100000, 'a');
  for (int i = 0; i < 40; ++i) {
    chunk[0] = static_cast<char>('a' + i % 26);
    b.append(chunk);
  }
  ASSERT_EQ(b.size(), 4000000u);
  EXPECT_EQ(b.data()[100000 * 39], 'a' + 39 % 26);
  EXPECT_EQ(b.data()[3999999], 'a');
  b.release(10, 1 << 20);
  EXPECT_EQ(b.data()[10], 'a');       // in a page only partly released
  EXPECT_EQ(b.data()[600000], '\0');  // a whole page inside: given back
  EXPECT_EQ(b.data()[(1 << 20) + 20], 'a');
  ByteBuffer moved = std::move(b);
  EXPECT_EQ(moved.size(), 4000000u);
  EXPECT_EQ(b.size(), 0u);
}

TEST(LargeStrings, BigValuesStayInTheBody) {
  std::string image = base64_encode(png_bytes(800 * 1024));
  std::string body =
      R"({"prompt":"p","model":"kling-v2-6","input_reference":{"image_url":"data:image/png;base64,)" +
      image + R"("},"metadata":{"image_tail":")" + image + R"("}})";
  ClientVideoRequest req;
  ASSERT_FALSE(parse_create_request("application/json", body, req));
  ASSERT_EQ(req.images.size(), 1u);
  // A view of the request body itself, not a copy.
  EXPECT_GE(req.images[0].data.data(), body.data());
  EXPECT_LE(req.images[0].data.data() + req.images[0].data.size(),
            body.data() + body.size());
  EXPECT_EQ(req.images[0].data, image);
  const std::string& tail =
      req.metadata["image_tail"].get_ref<const std::string&>();
  EXPECT_LT(tail.size(), 100u);
  EXPECT_EQ(req.large.resolve(tail), image);
  // What the request keeps beside the body is the body without its images.
  size_t kept = 0;
  for (const auto& text : req.owned_text) kept += text.size();
  EXPECT_LT(kept, 1000u);
}

TEST(LargeStrings, KeysAreNeverReplacedSoTheLastDuplicateWins) {
  // Found by the skeleton fuzzer: two placeholders for one key made two
  // keys, and map order (not the document's) chose the value.
  std::string body =
      R"({"metadata":{"long_key":"first","x":"","long_key" : "second"}})";
  LargeStrings large;
  JsonSkeleton skeleton = json_skeleton(body, 4, 32, large);
  ASSERT_TRUE(skeleton.changed);  // the values were replaced
  auto doc = nlohmann::json::parse(skeleton.text);
  ASSERT_EQ(doc.size(), 1u);
  ASSERT_EQ(doc["metadata"].size(), 2u);
  EXPECT_EQ(large.resolve(doc["metadata"]["long_key"].get<std::string>()),
            "second");
}

TEST(LargeStrings, EscapedValuesAreUnescapedOnceAndTooLongFieldsRefused) {
  std::string image = base64_encode(png_bytes(600 * 1024));
  std::string escaped;
  for (char c : image)
    escaped += c == '/' ? std::string("\\/") : std::string(1, c);
  ClientVideoRequest req;
  ASSERT_FALSE(parse_create_request(
      "application/json", R"({"prompt":"p","image":")" + escaped + "\"}", req));
  ASSERT_EQ(req.images.size(), 1u);
  EXPECT_EQ(req.images[0].data, image);
  ClientVideoRequest long_prompt;
  auto e = parse_create_request(
      "application/json",
      R"({"prompt":")" + std::string(600 * 1024, 'p') + "\"}", long_prompt);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "prompt");
  // A large value is checked like any string: raw control characters and
  // broken UTF-8 make the body invalid JSON, as they would in the parser.
  for (std::string bad : {std::string("\x01"), std::string("\xf1\xf1"),
                          std::string("\xed\xa0\x80")}) {
    ClientVideoRequest broken;
    auto invalid =
        parse_create_request("application/json",
                             R"({"prompt":"p","metadata":{"x":")" +
                                 std::string(600 * 1024, 'a') + bad + "\"}}",
                             broken);
    ASSERT_TRUE(invalid);
    EXPECT_EQ(invalid->code, "invalid_json");
  }
  ClientVideoRequest deep;
  auto too_deep = parse_create_request(
      "application/json", std::string(40, '[') + std::string(40, ']'), deep);
  ASSERT_TRUE(too_deep);
  EXPECT_EQ(too_deep->code, "invalid_json");
}

class LargeBodies : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::add_vendor(gw, "kling", "https://kling.test",
                        {{"access_key", "AK"}, {"secret_key", "SK"}});
    testing::add_vendor(gw, "openai", "https://relay.test",
                        {{"api_key", "sk-up"}});
    gw.add_id_key("unit-test-id-key-0123456789");
    gw.set_default_model("sora-2");  // as the shipped nginx.conf sets it
    // These drive one operation call by call; the breaker's store reads
    // around each call are circuit_breaker_test's.
    gw.set_breaker(BreakerSettings{0, 0});
    gw.finalize();
  }

  Step create(const std::string& content_type) {
    ClientCall call = testing::client_call("POST", "/v1/videos", buffer.view());
    call.content_type = content_type;
    call.body_buffer = &buffer;
    op = gw.begin(call);
    return op->start(1764500000);
  }

  // A multipart create: `fields` as text parts, then `png` as the upload.
  // Returns where the upload starts in the body.
  size_t multipart(
      const std::vector<std::pair<std::string, std::string>>& fields,
      const std::string& png) {
    std::string head;
    for (const auto& [name, value] : fields) {
      head += "--b\r\nContent-Disposition: form-data; name=\"" + name +
              "\"\r\n\r\n" + value + "\r\n";
    }
    head +=
        "--b\r\nContent-Disposition: form-data; name=\"input_reference\"; "
        "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
    buffer.append(head + png + "\r\n--b--\r\n");
    return head.size();
  }

  bool inside_body(std::string_view v) const {
    return v.data() >= buffer.data() &&
           v.data() + v.size() <= buffer.data() + buffer.size();
  }

  Gateway gw;
  ByteBuffer buffer;
  std::unique_ptr<Operation> op;
};

TEST_F(LargeBodies, Base64PassesThroughAsAViewOfTheClientBody) {
  std::string image = base64_encode(png_bytes(3 << 20));
  buffer.append(R"({"model":"kling-v2-6","prompt":"p","image":")" + image +
                "\"}");
  Step s = create("application/json");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  ASSERT_EQ(s.call.inserts.size(), 1u);
  EXPECT_TRUE(inside_body(s.call.inserts[0].bytes));
  EXPECT_LT(s.call.body.size(), 1000u);
  Json sent = Json::parse(s.call.flat_body());
  EXPECT_EQ(sent["image"], image);
}

TEST_F(LargeBodies, AnUploadEncodedForTheVendorGivesItsPagesBack) {
  std::string png = png_bytes(8 << 20);
  size_t upload = multipart({{"model", "kling-v2-6"}, {"prompt", "p"}}, png);
  Step s = create("multipart/form-data; boundary=b");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  Json sent = Json::parse(s.call.flat_body());
  EXPECT_EQ(sent["image"], base64_encode(png));
  // The middle of the upload now reads as zeros: those pages went back.
  EXPECT_EQ(buffer.data()[upload + (4 << 20)], '\0');
}

TEST_F(LargeBodies, MultipartVendorsGetUploadsAsViewsAndDataUrlsDecoded) {
  std::string png = png_bytes(1 << 20);
  multipart({{"prompt", "p"}}, png);
  Step s = create("multipart/form-data; boundary=b");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  bool viewed = false;
  for (const auto& insert : s.call.inserts)
    viewed = viewed || (inside_body(insert.bytes) && insert.bytes == png);
  EXPECT_TRUE(viewed);
  EXPECT_NE(s.call.flat_body().find(png), std::string::npos);

  ByteBuffer json;
  std::string b64 = base64_encode(png);
  json.append(
      R"({"prompt":"p","input_reference":{"image_url":"data:image/png;base64,)" +
      b64 + "\"}}");
  buffer = std::move(json);
  Step d = create("application/json");
  ASSERT_EQ(d.kind, Step::Kind::call_vendor) << d.response.body;
  EXPECT_NE(d.call.flat_body().find(png), std::string::npos);
}

}  // namespace
}  // namespace vgw
