#include "translate/body_encoding.hpp"

#include <functional>

#include "crypto/crypto.hpp"
#include "util/json_writer.hpp"

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

// Calls `text(name, value)` or `file(name, image)` for each multipart field
// a JSON body becomes.
void for_each_field(
    const ImageBlobs& blobs, const std::string& name, const Json& value,
    const std::function<void(const std::string&, const std::string&)>& text,
    const std::function<void(const std::string&, const ImageInput&)>& file) {
  if (value.is_null()) return;
  if (value.is_object()) {
    for (const auto& [k, v] : value.items())
      for_each_field(blobs, name + "[" + k + "]", v, text, file);
    return;
  }
  if (value.is_array()) {
    for (const auto& v : value)
      for_each_field(blobs, name + "[]", v, text, file);
    return;
  }
  std::string s = json_text(value);
  if (const ImageInput* img = blobs.file_for(s)) {
    file(name, *img);
  } else {
    text(name, s);
  }
}

EncodedBody encode_multipart(const Json& body, ImageBlobs& blobs) {
  std::string boundary = "----vgw" + crypto::to_hex(crypto::random_bytes(12));
  auto each = [&](const auto& text, const auto& file) {
    if (!body.is_object()) return;
    for (const auto& [k, v] : body.items())
      for_each_field(blobs, k, v, text, file);
  };
  each(
      [&](const std::string&, const std::string& s) { blobs.plan(s); },
      [&](const std::string&, const ImageInput& img) { blobs.plan_file(img); });
  EncodedBody out{"multipart/form-data; boundary=" + boundary, {}};
  BodyWriter& w = out.body;
  each(
      [&](const std::string& name, const std::string& s) {
        w.text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" +
               name + "\"\r\n\r\n");
        blobs.splice(s, false, w);
        w.text("\r\n");
      },
      [&](const std::string& name, const ImageInput& img) {
        w.text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" +
               name + "\"; filename=\"" + safe_filename(img) +
               "\"\r\nContent-Type: " + img.mime + "\r\n\r\n");
        blobs.splice_file(img, w);
        w.text("\r\n");
      });
  w.text("--" + boundary + "--\r\n");
  return out;
}

}  // namespace

EncodedBody encode_body(BodyFormat format, const Json& body,
                        ImageBlobs& blobs) {
  if (format == BodyFormat::multipart) return encode_multipart(body, blobs);
  std::string serialized;
  append_json(serialized, body);
  return encode_json_text(serialized, blobs);
}

EncodedBody encode_json_text(std::string serialized, ImageBlobs& blobs) {
  blobs.plan(serialized);
  EncodedBody out{"application/json", {}};
  if (blobs.splices_nothing()) {
    out.body.bytes = std::move(serialized);  // most creates: taken whole
  } else {
    blobs.splice(serialized, true, out.body);
  }
  return out;
}

}  // namespace vgw
