#include <gtest/gtest.h>

#include <string>

#include "api/video_upload.hpp"

namespace vgw {
namespace {

// An ftyp box of its own size (20 bytes), as an MP4 starts.
const std::string kMp4(
    "\0\0\0\x14"
    "ftypisom\0\0\x02\0"
    "isom",
    20);

std::string u32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 3; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xFF);
  return s;
}

std::string box(const std::string& type, const std::string& payload) {
  return u32(static_cast<uint32_t>(8 + payload.size())) + type + payload;
}

// mvhd version 0: flags, created, modified, timescale, duration, rest.
std::string mvhd0(uint32_t timescale, uint32_t duration) {
  return box("mvhd", std::string(4, '\0') + u32(0) + u32(0) + u32(timescale) +
                         u32(duration) + std::string(80, '\0'));
}

TEST(VideoUpload, SniffsTheTypeFromTheBytes) {
  EXPECT_EQ(sniff_video_type(kMp4), "video/mp4");
  EXPECT_EQ(sniff_video_type(std::string("\0\0\0\x14"
                                         "ftypqt  \0\0\0\0",
                                         16)),
            "video/quicktime");
  EXPECT_EQ(sniff_video_type("\x1a\x45\xdf\xa3\x01\x02"), "video/webm");
  EXPECT_EQ(sniff_video_type(std::string("RIFF\x10\0\0\0AVI LIST", 16)),
            "video/x-msvideo");
  EXPECT_EQ(sniff_video_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "");
  EXPECT_EQ(sniff_video_type("\x89PNG\r\n\x1a\n\0\0\0\0"), "");
  EXPECT_EQ(sniff_video_type(""), "");
}

// The length an MP4 declares: moov/mvhd found among other boxes, in
// either version; anything truncated, oversized or "unknown" is no length.
TEST(VideoUpload, ReadsTheLengthAnMp4Declares) {
  std::string mdat = box("mdat", std::string(64, 'x'));
  EXPECT_EQ(mp4_duration_seconds(kMp4 + box("moov", mvhd0(1000, 8000)) + mdat),
            8.0);
  EXPECT_EQ(mp4_duration_seconds(
                kMp4 + mdat + box("moov", box("trak", "") + mvhd0(600, 900))),
            1.5)
      << "moov after the media, mvhd after another box";
  std::string v1 = box("mvhd", std::string("\x01\0\0\0", 4) +
                                   std::string(16, '\0') + u32(90000) + u32(0) +
                                   u32(90000 * 12) + std::string(80, '\0'));
  EXPECT_EQ(mp4_duration_seconds(kMp4 + box("moov", v1)), 12.0);
  // A 64-bit size, and a last box that runs to the end.
  std::string large = u32(1) + "moov" + std::string(4, '\0') +
                      u32(16 + static_cast<uint32_t>(mvhd0(1, 5).size())) +
                      mvhd0(1, 5);
  EXPECT_EQ(mp4_duration_seconds(kMp4 + large), 5.0);
  EXPECT_EQ(mp4_duration_seconds(kMp4 + u32(0) + "moov" + mvhd0(2, 7)), 3.5);

  EXPECT_FALSE(mp4_duration_seconds(kMp4 + mdat)) << "no moov";
  EXPECT_FALSE(mp4_duration_seconds(kMp4 + box("moov", mvhd0(0, 10))))
      << "timescale 0";
  EXPECT_FALSE(
      mp4_duration_seconds(kMp4 + box("moov", mvhd0(1000, 0xFFFFFFFF))))
      << "unknown duration";
  std::string cut = kMp4 + box("moov", mvhd0(1000, 8000));
  EXPECT_FALSE(mp4_duration_seconds(cut.substr(0, cut.size() - 60)))
      << "truncated";
  EXPECT_FALSE(mp4_duration_seconds(kMp4 + u32(0xFFFFFFF0) + "moov"))
      << "a size past the end";
  EXPECT_FALSE(mp4_duration_seconds(kMp4 + u32(4) + "moov")) << "size < header";
  EXPECT_FALSE(mp4_duration_seconds(kMp4 + box("moov", box("mvhd", ""))));
  EXPECT_FALSE(mp4_duration_seconds(""));
}

}  // namespace
}  // namespace vgw
