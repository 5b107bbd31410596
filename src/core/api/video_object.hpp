#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rules/vendor_rules.hpp"

namespace vgw {

struct VideoFailure {
  std::string code;
  std::string message;
};

// Everything an OpenAI `Video` object says, before rendering.
struct VideoView {
  std::string id;
  std::string model;
  VideoStatus status = VideoStatus::queued;
  int progress = 0;
  int64_t created_at = 0;
  std::optional<int64_t> completed_at;
  std::optional<int64_t> expires_at;
  std::optional<std::string> prompt;
  std::string size;
  std::string seconds;
  std::optional<std::string> remixed_from;
  std::optional<VideoFailure> error;
  // Relay extras beyond the 13 keys, rendered only when known: the
  // gateway's own download link for a completed video (`url` and
  // `video_url`), the vendor's quality word, echoed fps/seed.
  std::optional<std::string> url;
  std::optional<std::string> quality;
  Json metadata = Json::object();
};

// All 13 keys of the spec, with explicit nulls: typed SDKs and n8n break on
// missing keys or a non-null `error` on a healthy job.
std::string render_video(const VideoView& v);

}  // namespace vgw
