#include "translate/image_blobs.hpp"

#include "crypto/crypto.hpp"
#include "util/base64.hpp"

namespace vgw {
namespace {

size_t encoded_size(const ImageInput& img, ImageBlobs::Encoding enc) {
  size_t payload = img.kind == ImageInput::Kind::bytes
                       ? base64_encoded_size(img.data.size())
                       : img.data.size();
  if (enc == ImageBlobs::Encoding::data_url) payload += 5 + img.mime.size() + 8;
  return payload;
}

void append_encoded(const ImageInput& img, ImageBlobs::Encoding enc,
                    std::string& out) {
  if (enc == ImageBlobs::Encoding::data_url) {
    out += "data:" + img.mime + ";base64,";
  }
  if (img.kind == ImageInput::Kind::bytes) {
    base64_encode_append(img.data, out);
  } else {
    out.append(img.data);  // already base64 (from a data URL)
  }
}

}  // namespace

ImageBlobs::ImageBlobs(const std::vector<ImageInput>& images)
    : images_(images) {
  // Unguessable, so a prompt cannot smuggle a placeholder in.
  prefix_ = "vgw-image-" + crypto::to_hex(crypto::random_bytes(8)) + "-";
  for (size_t i = 0; i < images.size(); ++i) {
    tokens_.push_back(prefix_ + std::to_string(i) + "-b64");
    tokens_.push_back(prefix_ + std::to_string(i) + "-url");
    tokens_.push_back(prefix_ + std::to_string(i) + "-file");
  }
}

const std::string& ImageBlobs::token(size_t index, Encoding encoding) const {
  return tokens_[index * 3 + static_cast<size_t>(encoding)];
}

const ImageInput* ImageBlobs::file_for(const std::string& value) const {
  for (size_t i = 0; i < images_.size(); ++i) {
    if (value == tokens_[i * 3 + 2]) return &images_[i];
  }
  return nullptr;
}

std::string ImageBlobs::expand(const std::string& serialized) const {
  if (images_.empty() || serialized.find(prefix_) == std::string::npos) {
    return serialized;
  }
  struct Hit {
    size_t pos;
    size_t token_len;
    size_t image;
    Encoding enc;
  };
  std::vector<Hit> hits;
  size_t total = serialized.size();
  for (size_t pos = serialized.find(prefix_); pos != std::string::npos;
       pos = serialized.find(prefix_, pos + 1)) {
    for (size_t t = 0; t < tokens_.size(); ++t) {
      if (t % 3 == 2) continue;  // file parts only exist in multipart bodies
      if (serialized.compare(pos, tokens_[t].size(), tokens_[t]) == 0) {
        Hit h{pos, tokens_[t].size(), t / 3,
              t % 3 ? Encoding::data_url : Encoding::base64};
        total += encoded_size(images_[h.image], h.enc) - h.token_len;
        hits.push_back(h);
        break;
      }
    }
  }
  std::string out;
  out.reserve(total);
  size_t last = 0;
  for (const auto& h : hits) {
    out.append(serialized, last, h.pos - last);
    append_encoded(images_[h.image], h.enc, out);
    last = h.pos + h.token_len;
  }
  out.append(serialized, last, std::string::npos);
  return out;
}

}  // namespace vgw
