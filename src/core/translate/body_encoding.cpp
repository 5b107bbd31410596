#include "translate/body_encoding.hpp"

#include "crypto/crypto.hpp"
#include "util/base64.hpp"

namespace vgw {
namespace {

std::string safe_filename(const ImageInput& img) {
  std::string name = img.filename.empty() ? "input_reference" : img.filename;
  for (auto& c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (name.find('.') == std::string::npos) {
    auto slash = img.mime.find('/');
    if (slash != std::string::npos) name += "." + img.mime.substr(slash + 1);
  }
  return name;
}

class MultipartWriter {
 public:
  MultipartWriter(const ImageBlobs& blobs)
      : blobs_(blobs),
        boundary_("----vgw" + crypto::to_hex(crypto::random_bytes(12))) {}

  void field(const std::string& name, const Json& value) {
    if (value.is_null()) return;
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) field(name + "[" + k + "]", v);
      return;
    }
    if (value.is_array()) {
      for (const auto& v : value) field(name + "[]", v);
      return;
    }
    std::string text = json_text(value);
    if (const ImageInput* img = blobs_.file_for(text)) {
      file(name, *img);
      return;
    }
    out_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" +
            name + "\"\r\n\r\n";
    out_ += blobs_.expand(text);
    out_ += "\r\n";
  }

  EncodedBody finish() {
    out_ += "--" + boundary_ + "--\r\n";
    return {"multipart/form-data; boundary=" + boundary_, std::move(out_)};
  }

 private:
  void file(const std::string& name, const ImageInput& img) {
    out_ += "--" + boundary_ + "\r\nContent-Disposition: form-data; name=\"" +
            name + "\"; filename=\"" + safe_filename(img) +
            "\"\r\nContent-Type: " + img.mime + "\r\n\r\n";
    if (img.kind == ImageInput::Kind::bytes) {
      out_.append(img.data);
    } else if (auto raw = base64_decode(img.data)) {
      out_ += *raw;
    }
    out_ += "\r\n";
  }

  const ImageBlobs& blobs_;
  std::string boundary_;
  std::string out_;
};

}  // namespace

EncodedBody encode_body(BodyFormat format, const Json& body,
                        const ImageBlobs& blobs) {
  if (format == BodyFormat::json) {
    return {"application/json",
            blobs.expand(
                body.dump(-1, ' ', false, Json::error_handler_t::replace))};
  }
  MultipartWriter writer(blobs);
  if (body.is_object()) {
    for (const auto& [k, v] : body.items()) writer.field(k, v);
  }
  return writer.finish();
}

}  // namespace vgw
