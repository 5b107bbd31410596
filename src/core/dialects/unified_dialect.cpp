#include "dialects/unified_dialect.hpp"

#include <nlohmann/json.hpp>

#include "util/strings.hpp"
#include "util/json_reader.hpp"

namespace vgw {
namespace {

using Json = nlohmann::ordered_json;

std::string status_word(const std::string& openai, bool openai_words) {
  if (openai_words) return openai;
  if (openai == "in_progress") return "processing";
  if (openai == "completed") return "succeeded";
  return openai;  // queued, failed
}

Json retrieve_body(const Json& video, bool openai_words) {
  Json metadata = Json::object();
  if (auto seconds = parse_uint(video.value("seconds", ""))) {
    metadata["duration"] = *seconds;
  }
  if (auto size = parse_size(video.value("size", ""))) {
    metadata["width"] = size->width;
    metadata["height"] = size->height;
  }
  if (video.contains("metadata")) {
    for (const auto& [k, v] : video["metadata"].items()) metadata[k] = v;
  }
  Json error = nullptr;
  if (video["error"].is_object()) {
    // The dialect's error code is a number; the vendor's reason travels in
    // the message.
    error = {{"code", 500}, {"message", video["error"].value("message", "")}};
  }
  Json url = video.contains("url") ? video["url"] : Json(nullptr);
  return {{"task_id", video["id"]},
          {"status", status_word(video.value("status", ""), openai_words)},
          {"url", url},
          {"format", "mp4"},
          {"progress", video.value("progress", 0)},
          {"metadata", metadata},
          {"error", error}};
}

class UnifiedDialect : public OperationDecorator {
 public:
  UnifiedDialect(std::unique_ptr<Operation> inner, bool openai_words)
      : OperationDecorator(std::move(inner)), openai_words_(openai_words) {}

 private:
  void forward(Step& step) override {
    if (step.kind != Step::Kind::respond ||
        !step.response.content_type.empty()) {
      return;
    }
    Json body = read_json(step.response.body);
    if (!body.is_object()) return;
    if (step.response.status >= 400 && body["error"].is_object()) {
      step.response.body = body["error"].dump();
    } else if (body.value("object", "") == "video") {
      Json out = facts().operation == "create"
                     ? Json{{"task_id", body["id"]},
                            {"status", status_word(body.value("status", ""),
                                                   openai_words_)}}
                     : retrieve_body(body, openai_words_);
      step.response.body = out.dump();
    }
  }

  bool openai_words_;
};

}  // namespace

std::unique_ptr<Operation> speak_unified(std::unique_ptr<Operation> inner,
                                         bool openai_words) {
  return std::make_unique<UnifiedDialect>(std::move(inner), openai_words);
}

}  // namespace vgw
