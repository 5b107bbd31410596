#include <gtest/gtest.h>

#include "api/client_request.hpp"

namespace vgw {
namespace {

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);

TEST(ClientRequest, ParsesJsonWithImageUrlAndMetadata) {
  ClientVideoRequest r;
  std::string body = R"({"model":"kling-v2-6","prompt":"a cat","seconds":"8",
    "size":"720x1280","input_reference":{"image_url":"https://x.test/a.png"},
    "metadata":{"negative_prompt":"blur"},"cfg_scale":0.5})";
  auto err = parse_create_request("application/json", body, r);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(r.model, "kling-v2-6");
  EXPECT_EQ(r.prompt, "a cat");
  EXPECT_EQ(r.seconds, "8");
  EXPECT_EQ(r.size, "720x1280");
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].kind, ImageInput::Kind::url);
  EXPECT_EQ(r.images[0].data, "https://x.test/a.png");
  EXPECT_EQ(r.metadata["negative_prompt"], "blur");
  EXPECT_EQ(r.extra["cfg_scale"], 0.5);
}

// The body is read from an index of the text, not a Json tree, and reads
// as a Json object would: the last of duplicate keys wins, escaped keys and
// values are unescaped, and of several bad fields the first by key (byte
// order) is named, whatever order they were written in.
TEST(ClientRequest, ReadsTheBodyAsAJsonObjectWould) {
  ClientVideoRequest r;
  std::string body = R"({"prompt":"first","prompt":"second","seconds":8,
    "input_reference":"https:\/\/x.test\/a.png","model":"m","model":"kling"})";
  auto err = parse_create_request("application/json", body, r);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(r.prompt, "second");
  EXPECT_EQ(r.model, "kling");
  EXPECT_EQ(r.seconds, "8");
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].data, "https://x.test/a.png");  // kept, unescaped

  for (const char* bad : {R"({"size":"big","prompt":"p","model":5})",
                          R"({"model":5,"size":"big","prompt":"p"})"}) {
    ClientVideoRequest second;
    auto e = parse_create_request("application/json", bad, second);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->param.value_or(""), "model") << bad;
  }
  ClientVideoRequest duplicate;
  auto e = parse_create_request("application/json",
                                R"({"prompt":"p","seconds":"x","seconds":"4"})",
                                duplicate);
  ASSERT_FALSE(e) << e->message;
  EXPECT_EQ(duplicate.seconds, "4");
  ClientVideoRequest negative;
  e = parse_create_request("application/json", R"({"prompt":"p","seconds":-5})",
                           negative);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param.value_or(""), "seconds");
  EXPECT_NE(e->message.find("'-5'"), std::string::npos) << e->message;
  ClientVideoRequest deep;
  e = parse_create_request("application/json",
                           R"({"prompt":"p","x":)" + std::string(40, '[') +
                               std::string(40, ']') + "}",
                           deep);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("too deeply"), std::string::npos) << e->message;
}

TEST(ClientRequest, DataUrlIsAnImage) {
  ClientVideoRequest r;
  std::string body =
      R"({"prompt":"p","input_reference":{"image_url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="}})";
  ASSERT_FALSE(parse_create_request("application/json", body, r));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].kind, ImageInput::Kind::base64);
  EXPECT_EQ(r.images[0].mime, "image/png");
  EXPECT_EQ(r.images[0].data, "iVBORw0KGgoAAAANSUhEUg==");
}

TEST(ClientRequest, ParsesMultipartWithFileAndBracketFields) {
  std::string body =
      "--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n"
      "--xyz\r\nContent-Disposition: form-data; name=\"metadata[seed]\"\r\n\r\n"
      "42\r\n"
      "--xyz\r\nContent-Disposition: form-data; name=\"input_reference\"; "
      "filename=\"i.png\"\r\n\r\n" +
      kPng +
      "\r\n--xyz\r\nContent-Disposition: form-data; name=\"seconds\"\r\n\r\n"
      "4\r\n--xyz--\r\n";
  ClientVideoRequest r;
  auto err = parse_create_request("multipart/form-data; boundary=xyz", body, r);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(r.prompt, "hi");
  EXPECT_EQ(r.seconds, "4");
  EXPECT_EQ(r.metadata["seed"], "42");
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].kind, ImageInput::Kind::bytes);
  EXPECT_EQ(r.images[0].mime, "image/png") << "sniffed without a part type";
  EXPECT_EQ(r.images[0].data, kPng);
}

TEST(ClientRequest, MultipartImageUrlField) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n"
      "--b\r\nContent-Disposition: form-data; "
      "name=\"input_reference[image_url]\"\r\n\r\nhttps://x.test/i.jpg\r\n"
      "--b--\r\n";
  ClientVideoRequest r;
  ASSERT_FALSE(
      parse_create_request("multipart/form-data; boundary=b", body, r));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].kind, ImageInput::Kind::url);
  EXPECT_EQ(r.images[0].data, "https://x.test/i.jpg");
}

struct BadCase {
  const char* content_type;
  const char* body;
  const char* param;  // expected `param`, "" for none
};

TEST(ClientRequest, RejectsBadInputWithParam) {
  const BadCase cases[] = {
      {"application/json", "{", ""},
      {"application/json", "[]", ""},
      {"application/json", R"({"seconds":"8"})", "prompt"},
      {"application/json", R"({"prompt":""})", "prompt"},
      {"application/json", R"({"prompt":1})", "prompt"},
      {"application/json", R"({"prompt":"p","seconds":"eight"})", "seconds"},
      {"application/json", R"({"prompt":"p","size":"big"})", "size"},
      {"application/json", R"({"prompt":"p","model":5})", "model"},
      {"application/json", R"({"prompt":"p","metadata":"x"})", "metadata"},
      {"application/json",
       R"({"prompt":"p","input_reference":{"image_url":"ftp://x"}})",
       "input_reference.image_url"},
      {"application/json",
       R"({"prompt":"p","input_reference":{"image_url":"data:text/plain;base64,aGk="}})",
       "input_reference.image_url"},
      {"multipart/form-data", "--b--", ""},
  };
  for (const auto& c : cases) {
    ClientVideoRequest r;
    auto err = parse_create_request(c.content_type, c.body, r);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->status, 400) << c.body;
    EXPECT_EQ(err->type, "invalid_request_error") << c.body;
    if (*c.param) {
      EXPECT_EQ(err->param.value_or(""), c.param) << c.body;
    }
  }
}

TEST(ClientRequest, RejectsOtherContentTypesWith415) {
  ClientVideoRequest r;
  auto err = parse_create_request("text/plain", "prompt=x", r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 415);
}

TEST(ClientRequest, RejectsAnUploadThatIsNotAnImage) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"input_reference\"; "
      "filename=\"x.txt\"\r\nContent-Type: "
      "text/plain\r\n\r\nhello\r\n--b--\r\n";
  ClientVideoRequest r;
  auto err = parse_create_request("multipart/form-data; boundary=b", body, r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->param.value_or(""), "input_reference");
}

TEST(ClientRequest, SniffsImageTypes) {
  EXPECT_EQ(sniff_image_type(kPng), "image/png");
  EXPECT_EQ(sniff_image_type(std::string("\xff\xd8\xff\xe0", 4)), "image/jpeg");
  EXPECT_EQ(sniff_image_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)),
            "image/webp");
  EXPECT_EQ(sniff_image_type("hello"), "");
}

}  // namespace
}  // namespace vgw
