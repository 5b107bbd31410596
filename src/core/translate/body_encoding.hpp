#pragma once

#include <string>
#include <vector>

#include "rules/json_path.hpp"
#include "rules/vendor_rules.hpp"
#include "translate/image_blobs.hpp"

namespace vgw {

struct EncodedBody {
  std::string content_type;
  BodyWriter body;
};

// Serialises a rendered vendor body. JSON bodies get their placeholders
// spliced in place; multipart bodies turn each top-level key into a part
// (objects flattened as `a[b]`, the way the OpenAI SDKs send them) and
// `${image|bytes}` placeholders into binary file parts.
EncodedBody encode_body(BodyFormat format, const Json& body, ImageBlobs& blobs);
// The same for a JSON body already written as text (ValueTemplate's
// render_json()).
EncodedBody encode_json_text(std::string serialized, ImageBlobs& blobs);

}  // namespace vgw
