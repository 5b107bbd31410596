#pragma once

#include <string>
#include <string_view>

#include "rules/json_path.hpp"

namespace vgw {

// An uploaded image (or a character's video, `video`) reaches the rules as
// one value whose encodings are
// filters, `${image|base64}`, so a rule says how the vendor wants the bytes
// instead of naming fields of an object that does not exist in the request:
//   url              the client's URL (absent for uploaded bytes)
//   base64, data_url the bytes, encoded once when the body is written
//   bytes            the bytes as they are (a multipart file part)
//   mime, filename   as uploaded (mime sniffed from the bytes)
//   url_or_base64, url_or_data_url   the URL when there is one
// The media value keeps each encoding under "|<filter>", the key a parsed
// `name|filter` path ends with.
std::string media_key(std::string_view filter);
bool is_media_filter(std::string_view filter);
const char* media_filter_names();

// Whether `item` (inside an $each) stands for a media value: yes over
// ${images}, no over anything else, maybe where the loader cannot tell (an
// expression).
enum class ItemMedia { no, yes, maybe };

// Refuses a filter on anything but a media value, an unknown filter, and
// the object spelling of one (`image.base64`). Throws RuleError (no line).
void check_media_path(const JsonPath& path, ItemMedia item);

}  // namespace vgw
