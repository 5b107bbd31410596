#include "api/video_object.hpp"

#include <nlohmann/json.hpp>

#include "util/json_writer.hpp"

namespace vgw {

std::string render_video(const VideoView& v) {
  std::string out;
  // Every field's text at once: the writer grows only for escapes.
  JsonWriter w(out, 512 + v.id.size() + (v.prompt ? v.prompt->size() : 0) +
                        (v.remixed_from ? v.remixed_from->size() : 0) +
                        (v.url ? 2 * v.url->size() : 0) +
                        (v.error ? v.error->message.size() : 0));
  auto optional_number = [&](const char* name,
                             const std::optional<int64_t>& n) {
    w.key(name);
    n ? w.number(*n) : w.null();
  };
  w.begin_object();
  w.key("id").string(v.id);
  w.key("object").string("video");
  w.key("model").string(v.model);
  w.key("status").string(to_string(v.status));
  w.key("progress").number(v.progress);
  w.key("created_at").number(v.created_at);
  optional_number("completed_at", v.completed_at);
  optional_number("expires_at", v.expires_at);
  w.key("prompt");
  v.prompt ? w.string(*v.prompt) : w.null();
  w.key("size").string(v.size);
  w.key("seconds").string(v.seconds);
  w.key("remixed_from_video_id");
  v.remixed_from ? w.string(*v.remixed_from) : w.null();
  w.key("error");
  if (v.error) {
    w.begin_object();
    w.key("code").string(v.error->code);
    w.key("message").string(v.error->message);
    w.end_object();
  } else {
    w.null();
  }
  if (v.quality) w.key("quality").string(*v.quality);
  if (v.url && v.status == VideoStatus::completed) {
    w.key("url").string(*v.url);
    w.key("video_url").string(*v.url);
  }
  if (!v.metadata.empty()) {
    std::string metadata;
    append_json(metadata, v.metadata);
    w.key("metadata").raw(metadata);
  }
  w.end_object();
  w.finish();
  return out;
}

}  // namespace vgw
