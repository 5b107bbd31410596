#pragma once

#include <string>
#include <vector>

#include "api/client_request.hpp"

namespace vgw {

// Keeps reference images out of the JSON tree while a vendor body is built.
// Rules see short placeholder tokens; once the body is serialised, each token
// is replaced by the image encoded straight into the final buffer. A 20 MiB
// upload is therefore encoded once, not copied through nlohmann values.
class ImageBlobs {
 public:
  enum class Encoding { base64, data_url, file };

  explicit ImageBlobs(const std::vector<ImageInput>& images);

  // Placeholder for image `index` in the given encoding.
  const std::string& token(size_t index, Encoding encoding) const;

  // Replaces every placeholder in `serialized` with the image data.
  std::string expand(const std::string& serialized) const;

  // The image behind a `file` placeholder, or nullptr for any other text.
  const ImageInput* file_for(const std::string& value) const;

 private:
  const std::vector<ImageInput>& images_;
  std::string prefix_;
  std::vector<std::string> tokens_;  // 3 per image: base64, data_url, file
};

}  // namespace vgw
