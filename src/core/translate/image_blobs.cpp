#include "translate/image_blobs.hpp"

#include <algorithm>

#include "crypto/crypto.hpp"
#include "rules/media_filters.hpp"
#include "util/base64.hpp"

namespace vgw {
namespace {

// Uploaded bytes are encoded in slices of this many (a multiple of 3, so
// the slices' base64 concatenates).
constexpr size_t kEncodeSlice = 3 * 1024 * 1024;

}  // namespace

ImageBlobs::ImageBlobs(const std::vector<ImageInput>& images,
                       const LargeStrings& large, ByteBuffer* client_body)
    : images_(images), large_(large), client_body_(client_body) {
  uses_.resize(images.size());
  if (images.empty()) return;
  // Unguessable, so a prompt cannot smuggle a placeholder in.
  prefix_ = "vgw-image-" + crypto::to_hex(crypto::random_bytes(8)) + "-";
  for (size_t i = 0; i < images.size(); ++i) {
    tokens_.push_back(prefix_ + std::to_string(i) + "-b64");
    tokens_.push_back(prefix_ + std::to_string(i) + "-url");
    tokens_.push_back(prefix_ + std::to_string(i) + "-bytes");
  }
}

const std::string& ImageBlobs::token(size_t index, Encoding encoding) const {
  return tokens_[index * 3 + static_cast<size_t>(encoding)];
}

void add_url_value(Json& value, const std::string& url) {
  for (const char* filter : {"url", "url_or_base64", "url_or_data_url"}) {
    value[media_key(filter)] = url;
  }
}

Json ImageBlobs::rules_value(size_t index) const {
  const ImageInput& img = images_[index];
  Json o = Json::object();
  auto set = [&](std::string_view filter, const std::string& value) {
    o[media_key(filter)] = value;
  };
  if (!img.mime.empty()) set("mime", img.mime);
  if (!img.filename.empty()) set("filename", img.filename);
  if (img.kind == ImageInput::Kind::url) {
    add_url_value(o, std::string(img.data));
  } else {
    const std::string& b64 = token(index, Encoding::base64);
    const std::string& data_url = token(index, Encoding::data_url);
    set("base64", b64);
    set("data_url", data_url);
    set("bytes", token(index, Encoding::bytes));
    set("url_or_base64", b64);
    set("url_or_data_url", data_url);
  }
  return o;
}

const ImageInput* ImageBlobs::file_for(const std::string& value) const {
  for (size_t i = 0; i < images_.size(); ++i) {
    if (value == tokens_[i * 3 + 2]) return &images_[i];
  }
  return nullptr;
}

size_t ImageBlobs::index_of(const ImageInput& img) const {
  return static_cast<size_t>(&img - images_.data());
}

void ImageBlobs::plan(std::string_view text) {
  if (prefix_.empty()) return;
  for (size_t pos = text.find(prefix_); pos != std::string_view::npos;
       pos = text.find(prefix_, pos + 1)) {
    for (size_t t = 0; t < tokens_.size(); ++t) {
      if (t % 3 == 2 || text.compare(pos, tokens_[t].size(), tokens_[t]) != 0)
        continue;
      const ImageInput& img = images_[t / 3];
      if (img.kind == ImageInput::Kind::bytes) {
        ++uses_[t / 3].transforms;
      } else {
        ++uses_[t / 3].raw;
      }
    }
  }
}

void ImageBlobs::plan_file(const ImageInput& img) {
  Use& use = uses_[index_of(img)];
  if (img.kind == ImageInput::Kind::bytes) {
    ++use.raw;
  } else {
    ++use.transforms;
  }
}

bool ImageBlobs::last_transform(size_t image) {
  Use& use = uses_[image];
  return --use.transforms == 0 && use.raw == 0;
}

void ImageBlobs::write_base64(size_t image, BodyWriter& out) {
  const ImageInput& img = images_[image];
  if (img.kind != ImageInput::Kind::bytes) {
    out.view(img.data);  // already base64 (a data URL's or the client's)
    return;
  }
  bool release = last_transform(image) && client_body_ != nullptr &&
                 img.data.data() >= client_body_->data() &&
                 img.data.data() + img.data.size() <=
                     client_body_->data() + client_body_->size();
  auto encoded = std::make_shared<ByteBuffer>();
  size_t size = base64_encoded_size(img.data.size());
  char* to = encoded->extend(size);
  for (size_t from = 0; from < img.data.size(); from += kEncodeSlice) {
    std::string_view slice = img.data.substr(from, kEncodeSlice);
    base64_encode_to(slice, to);
    to += base64_encoded_size(slice.size());
    if (release) {
      client_body_->release(
          static_cast<size_t>(slice.data() - client_body_->data()),
          slice.size());
    }
  }
  std::string_view bytes = encoded->view();
  out.view(bytes, std::move(encoded));
}

void ImageBlobs::splice(std::string_view text, bool json, BodyWriter& out) {
  if (splices_nothing()) {
    out.text(text);
    return;
  }
  bool images = !prefix_.empty();
  bool large = !large_.empty();
  const std::string& large_prefix = large_.prefix();
  size_t last = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t image_at = images ? text.find(prefix_, pos) : std::string_view::npos;
    size_t large_at =
        large ? text.find(large_prefix, pos) : std::string_view::npos;
    size_t at = std::min(image_at, large_at);
    if (at == std::string_view::npos) break;
    out.text(text.substr(last, at - last));
    size_t consumed = 0;
    if (at == image_at) {
      for (size_t t = 0; t < tokens_.size() && consumed == 0; ++t) {
        if (t % 3 == 2 || text.compare(at, tokens_[t].size(), tokens_[t]) != 0)
          continue;
        const ImageInput& img = images_[t / 3];
        if (t % 3 == 1) out.text("data:" + img.mime + ";base64,");
        write_base64(t / 3, out);
        consumed = tokens_[t].size();
      }
    } else {
      size_t end = at + large_prefix.size();
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      if (const LargeStrings::Value* v =
              large_.find(text.substr(at, end - at))) {
        out.view(json ? v->json : v->value);
        consumed = end - at;
      }
    }
    if (consumed == 0) {  // a prefix that is no placeholder: plain text
      out.text(text.substr(at, 1));
      consumed = 1;
    }
    pos = last = at + consumed;
  }
  out.text(text.substr(last));
}

void ImageBlobs::splice_file(const ImageInput& img, BodyWriter& out) {
  if (img.kind == ImageInput::Kind::bytes) {
    out.view(img.data);
    return;
  }
  last_transform(index_of(img));
  auto decoded = std::make_shared<ByteBuffer>();
  char* to = decoded->extend(img.data.size() / 4 * 3 + 3);
  auto n = base64_decode_to(img.data, to);
  decoded->shrink_to(n.value_or(0));
  std::string_view bytes = decoded->view();
  out.view(bytes, std::move(decoded));
}

}  // namespace vgw
