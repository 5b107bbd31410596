#include "api/video_object.hpp"

#include <nlohmann/json.hpp>

namespace vgw {

std::string render_video(const VideoView& v) {
  using J = nlohmann::ordered_json;
  auto nullable = [](const auto& opt) { return opt ? J(*opt) : J(nullptr); };
  J error = nullptr;
  if (v.error)
    error = J{{"code", v.error->code}, {"message", v.error->message}};
  J out = {
      {"id", v.id},
      {"object", "video"},
      {"model", v.model},
      {"status", to_string(v.status)},
      {"progress", v.progress},
      {"created_at", v.created_at},
      {"completed_at", nullable(v.completed_at)},
      {"expires_at", nullable(v.expires_at)},
      {"prompt", nullable(v.prompt)},
      {"size", v.size},
      {"seconds", v.seconds},
      {"remixed_from_video_id", nullptr},
      {"error", error},
  };
  if (v.quality) out["quality"] = *v.quality;
  if (v.url && v.status == VideoStatus::completed) {
    out["url"] = *v.url;
    out["video_url"] = *v.url;
  }
  if (!v.metadata.empty()) out["metadata"] = v.metadata;
  return out.dump(-1, ' ', false, J::error_handler_t::replace);
}

}  // namespace vgw
