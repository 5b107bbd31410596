#include <gtest/gtest.h>

#include "api/multipart.hpp"

namespace vgw {
namespace {

TEST(Multipart, FindsBoundaryQuotedOrNot) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b\""), "a b");
  EXPECT_EQ(
      multipart_boundary("multipart/form-data; charset=utf-8; boundary=--x"),
      "--x");
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("application/json; boundary=x"));
}

TEST(Multipart, ParsesFieldsAndFilesInAnyOrder) {
  std::string body =
      "--B\r\n"
      "Content-Disposition: form-data; name=\"input_reference\"; "
      "filename=\"cat.png\"\r\n"
      "Content-Type: image/png\r\n\r\n"
      "\x89PNG\r\n--not-a-boundary\r\n"
      "\r\n--B\r\n"
      "Content-Disposition: form-data; name=\"prompt\"\r\n\r\n"
      "a cat\r\non two lines\r\n"
      "--B--\r\n";
  auto r = parse_multipart(body, "B");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].name, "input_reference");
  EXPECT_EQ(r.parts[0].filename, "cat.png");
  EXPECT_EQ(r.parts[0].content_type, "image/png");
  EXPECT_EQ(r.parts[0].data, "\x89PNG\r\n--not-a-boundary\r\n");
  EXPECT_EQ(r.parts[1].name, "prompt");
  EXPECT_FALSE(r.parts[1].filename);
  EXPECT_EQ(r.parts[1].content_type, "");
  EXPECT_EQ(r.parts[1].data, "a cat\r\non two lines");
}

TEST(Multipart, RejectsMalformedBodies) {
  EXPECT_FALSE(parse_multipart("", "B").ok());
  EXPECT_FALSE(parse_multipart("--B\r\nno end", "B").ok());
  EXPECT_FALSE(
      parse_multipart("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--",
                      "B")
          .ok())
      << "a part without a name";
  std::string many;
  for (int i = 0; i < 70; ++i) {
    many += "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  }
  many += "--B--\r\n";
  EXPECT_FALSE(parse_multipart(many, "B").ok());
  EXPECT_TRUE(parse_multipart(many, "B", {128, 8192}).ok());
}

}  // namespace
}  // namespace vgw
