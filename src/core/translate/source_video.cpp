#include "translate/source_video.hpp"

#include "translate/rule_steps.hpp"
#include "translate/status_query.hpp"
#include "translate/video_state.hpp"

namespace vgw {
namespace {

class SourceVideoRead : public OperationDecorator {
 public:
  SourceVideoRead(std::unique_ptr<Operation> create, Vendor& vendor,
                  VideoRecord source, const SourceVideo& use)
      : OperationDecorator(std::move(create)),
        vendor_(vendor),
        source_(std::move(source)),
        source_id_(use.video_id),
        fields_(use.fields),
        extension_(use.use == SourceVideoUse::extension),
        query_(vendor, source_) {}

  Step start(int64_t now) override {
    auto next = query_.next(now);
    if (auto* e = std::get_if<ApiError>(&next)) return answer(*e);
    reading_ = true;
    return Step::call_vendor(std::move(std::get<UpstreamCall>(next)));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (!reading_) return OperationDecorator::on_reply(reply, now);
    if (query_.answers_step()) {
      if (auto e = query_.take_step(reply, now)) return answer(*e);
      return start(now);
    }
    reading_ = false;
    auto status = read_status_reply(vendor_, CallPhase::retrieve, reply, now);
    if (status.error) return answer(*status.error);
    VideoView view = read_video_state(vendor_, status.body, source_, now);
    if (view.status == VideoStatus::failed) {
      return answer(invalid_request("Video '" + source_id_.substr(0, 200) +
                                        "' failed, so there is nothing to " +
                                        (extension_ ? "extend." : "edit."),
                                    std::string("video"), "video_failed"));
    }
    if (view.status != VideoStatus::completed) {
      return answer(invalid_request(
          "Video '" + source_id_.substr(0, 200) + "' is " +
              to_string(view.status) + "; only a completed video can be " +
              (extension_ ? "extended." : "edited."),
          std::string("video"), "video_not_finished"));
    }
    const auto& rule =
        extension_ ? *vendor_.rules().extend : *vendor_.rules().edit;
    for (const auto& [name, path] : rule.source) {
      auto value = path.find_text(status.body);
      if (!value || value->empty()) {
        ApiError e = internal_error(
            "Vendor '" + vendor_.name() + "' reported video '" +
            source_id_.substr(0, 200) + "' without its " + name + ", which " +
            (extension_ ? "an extension" : "an edit") + " needs.");
        e.status = 502;
        e.code = "vendor_bad_reply";
        return answer(e);
      }
      (*fields_)[name] = std::move(*value);
    }
    return pass(inner_->start(now));
  }

 private:
  Vendor& vendor_;
  VideoRecord source_;
  std::string source_id_;
  std::shared_ptr<Json> fields_;
  bool extension_;
  StatusQuery query_;
  bool reading_ = false;
};

}  // namespace

std::unique_ptr<Operation> with_source_video(std::unique_ptr<Operation> create,
                                             Vendor& vendor, VideoRecord source,
                                             const SourceVideo& use) {
  return std::make_unique<SourceVideoRead>(std::move(create), vendor,
                                           std::move(source), use);
}

}  // namespace vgw
