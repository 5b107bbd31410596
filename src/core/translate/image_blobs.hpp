#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client_request.hpp"
#include "http_types.hpp"
#include "util/byte_buffer.hpp"

namespace vgw {

// A vendor body under construction: small bytes of its own, large parts
// spliced in as views (see BodyInsert).
struct BodyWriter {
  std::string bytes;
  std::vector<BodyInsert> inserts;

  void text(std::string_view s) { bytes.append(s); }
  void view(std::string_view s, std::shared_ptr<const void> owner = nullptr) {
    if (!s.empty()) inserts.push_back({bytes.size(), s, std::move(owner)});
  }
};

// The filters of a media value given by URL (${video|url} and the
// url_or_* spellings), set in `value`.
void add_url_value(Json& value, const std::string& url);

// Keeps reference images and other large client values (LargeStrings) out
// of the JSON tree while a vendor body is built. Rules see short
// placeholder tokens; once the body is serialised each one is replaced by
// the bytes it stands for: as a view of the client's body where the bytes
// can go as they are, encoded once where they cannot. An uploaded image a
// vendor wants as base64 is encoded piece by piece, and when nothing else in
// the body needs its raw bytes, the pages they occupied in `client_body` go
// back to the OS as it goes: a 30 MB upload then costs its base64, not both.
class ImageBlobs {
 public:
  enum class Encoding { base64, data_url, bytes };

  ImageBlobs(const std::vector<ImageInput>& images, const LargeStrings& large,
             ByteBuffer* client_body);

  // Placeholder for image `index` in the given encoding.
  const std::string& token(size_t index, Encoding encoding) const;
  // Upload `index` as the rules see it: one value per filter
  // (rules/media_filters.hpp), placeholders for the encoded bytes.
  Json rules_value(size_t index) const;
  // The image behind a `bytes` placeholder, or nullptr for any other text.
  const ImageInput* file_for(const std::string& value) const;

  // Counts what `text` will need (call for every piece before writing any).
  void plan(std::string_view text);
  void plan_file(const ImageInput& img);

  // Writes `text` with its placeholders replaced: large strings as the
  // client wrote them (`json`) or as their value (a multipart text field).
  void splice(std::string_view text, bool json, BodyWriter& out);
  // Whether splice() would write text as it is (no image, no large string).
  bool splices_nothing() const { return prefix_.empty() && large_.empty(); }
  // A multipart file part's content: the image's bytes.
  void splice_file(const ImageInput& img, BodyWriter& out);

 private:
  struct Use {
    int raw = 0;         // views of the bytes as uploaded
    int transforms = 0;  // encodings (base64 of bytes, bytes of base64)
  };
  size_t index_of(const ImageInput& img) const;
  void write_base64(size_t image, BodyWriter& out);
  bool last_transform(size_t image);

  const std::vector<ImageInput>& images_;
  const LargeStrings& large_;
  ByteBuffer* client_body_;
  std::string prefix_;
  std::vector<std::string> tokens_;  // 3 per image: base64, data_url, bytes
  std::vector<Use> uses_;
};

}  // namespace vgw
