#pragma once

#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

#include "api/api_error.hpp"
#include "api/large_strings.hpp"

namespace vgw {

// A reference image as the client sent it. `data` points into the request
// body (or into `ClientVideoRequest::owned_text`), never copied: images are
// the large part of a create and are converted straight into the vendor body.
struct ImageInput {
  enum class Kind { bytes, base64, url };
  Kind kind = Kind::url;
  std::string_view data;
  std::string mime;  // sniffed from the bytes; empty for URLs
  std::string filename;
  std::string param;  // which request field it came from, for errors
};

// POST /v1/videos after parsing, before any vendor is involved.
struct ClientVideoRequest {
  std::string model;
  std::string prompt;
  std::optional<std::string> seconds;
  std::optional<std::string> size;
  std::vector<ImageInput> images;
  // An uploaded video (multipart `video` file): the source of an extension
  // or an edit; refused anywhere else.
  std::optional<ImageInput> video;
  Json metadata = Json::object();
  Json extra = Json::object();  // unrecognised top-level fields, by name
  // Relay-dialect values echoed back in the Video's `metadata` (fps, seed).
  Json echo = Json::object();
  std::string user;  // end-user id (`user`): logged, not sent to vendors
  // Where to send the completion webhook; handled by the gateway, never
  // passed to the vendor as is.
  std::optional<std::string> callback_url;
  // Text that views above point into when it is not the body itself: the
  // body with its large strings replaced, unescaped image URLs, image
  // strings moved out of `extra`.
  std::list<std::string> owned_text;
  // Large JSON string values, left in the body; strings anywhere above may
  // be their placeholders (see large_strings.hpp).
  LargeStrings large;
};

// Parses a JSON or multipart/form-data create body. `body` must outlive the
// result. Returns an OpenAI-style 400 on any malformed input.
std::optional<ApiError> parse_create_request(std::string_view content_type,
                                             std::string_view body,
                                             ClientVideoRequest& out);

// The extended JSON fields relays accept (`duration`, `width`/`height`,
// `image`, `n`, `response_format`, `user`, `fps`, `seed`), folded into the
// OpenAI ones. Called by parse_create_request; exposed for the unified
// /v1/video/generations dialect, which uses the same fields.
std::optional<ApiError> fold_relay_fields(ClientVideoRequest& out);

// Moves the relay values a gateway echoes back (vgw_echo_parameters: fps,
// seed) from the extras or metadata into `echo`, as whole numbers; they
// are sealed into the id and shown in the Video's `metadata`.
std::optional<ApiError> take_echoed(ClientVideoRequest& out,
                                    const std::vector<std::string>& names);

// A multipart `video` file part as an upload (a view of `data`, its type
// sniffed); 400 invalid_video when it is not a video.
std::optional<ApiError> take_uploaded_video(std::string_view data,
                                            const std::string& filename,
                                            ImageInput& out);

// "image/png" etc. from magic bytes; empty when not a supported image.
std::string sniff_image_type(std::string_view bytes);

}  // namespace vgw
