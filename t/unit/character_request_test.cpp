#include <gtest/gtest.h>

#include <string>

#include "api/character_request.hpp"

namespace vgw {
namespace {

const std::string kMp4(
    "\0\0\0\x20"
    "ftypisom\0\0\x02\0"
    "isomiso2",
    20);

std::string part(const std::string& name, const std::string& value,
                 const char* filename = nullptr) {
  std::string p =
      "--b\r\nContent-Disposition: form-data; name=\"" + name + "\"";
  if (filename) p += std::string("; filename=\"") + filename + "\"";
  return p + "\r\n\r\n" + value + "\r\n";
}

std::optional<ApiError> parse(
    const std::string& body, CharacterRequest& out,
    const char* type = "multipart/form-data; boundary=b") {
  return parse_character_request(type, body, out);
}

TEST(CharacterRequest, TakesANameAndAnUploadedVideo) {
  std::string body = part("name", " Hero ") + part("video", kMp4, "hero.mp4") +
                     part("model", "viduq2-pro") + "--b--\r\n";
  CharacterRequest r;
  auto err = parse(body, r);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(r.name, "Hero");
  EXPECT_EQ(r.model, "viduq2-pro");
  EXPECT_EQ(r.video.kind, ImageInput::Kind::bytes);
  EXPECT_EQ(r.video.mime, "video/mp4");
  EXPECT_EQ(r.video.filename, "hero.mp4");
  EXPECT_EQ(r.video.data, kMp4);
  EXPECT_GE(r.video.data.data(), body.data()) << "a view of the body";
  EXPECT_LE(r.video.data.data(), body.data() + body.size());
}

struct Refusal {
  std::string body;
  std::string code;
  std::string param;
};

TEST(CharacterRequest, RefusesWhatIsNotACharacter) {
  const std::string video = part("video", kMp4, "v.mp4");
  const Refusal cases[] = {
      {part("name", "x") + "--b--\r\n", "missing_required_parameter", "video"},
      {video + "--b--\r\n", "missing_required_parameter", "name"},
      {part("name", "  ") + video + "--b--\r\n", "missing_required_parameter",
       "name"},
      {part("name", std::string(81, 'x')) + video + "--b--\r\n",
       "invalid_value", "name"},
      {part("name", "a\x01z") + video + "--b--\r\n", "invalid_value", "name"},
      {part("name", "bad \xff utf-8") + video + "--b--\r\n", "invalid_value",
       "name"},
      {part("name", "x") + part("video", "not a video at all", "v.mp4") +
           "--b--\r\n",
       "invalid_video", "video"},
      {part("name", "x") + part("video[id]", "video_abc") + "--b--\r\n",
       "invalid_video", "video"},
      {part("name", "x") + part("video", "https://x.test/v.mp4") + "--b--\r\n",
       "invalid_video", "video"},
      {part("name", "x") + video + video + "--b--\r\n", "duplicate_parameter",
       "video"},
      {part("name", "x") + part("name", "y") + video + "--b--\r\n",
       "duplicate_parameter", "name"},
      {part("name", "x") + video + part("prompt", "p") + "--b--\r\n",
       "unknown_parameter", "prompt"},
      {"--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx",
       "invalid_multipart", ""},
  };
  for (const auto& c : cases) {
    CharacterRequest r;
    auto err = parse(c.body, r);
    ASSERT_TRUE(err) << c.body;
    EXPECT_EQ(err->status, 400);
    EXPECT_EQ(err->code, c.code) << c.body;
    EXPECT_EQ(err->param.value_or(""), c.param) << c.body;
  }
  // 80 characters of any script are a name.
  std::string eighty;
  for (int i = 0; i < 80; ++i) eighty += "\xe5\x90\x8d";
  CharacterRequest r;
  EXPECT_FALSE(parse(part("name", eighty) + video + "--b--\r\n", r));
  CharacterRequest json;
  auto err = parse("{\"name\":\"x\"}", json, "application/json");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "invalid_content_type");
}

}  // namespace
}  // namespace vgw
