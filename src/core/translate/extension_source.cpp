#include "translate/extension_source.hpp"

#include "translate/status_query.hpp"
#include "translate/video_state.hpp"

namespace vgw {
namespace {

class ExtensionSourceRead : public OperationDecorator {
 public:
  ExtensionSourceRead(std::unique_ptr<Operation> create, Vendor& vendor,
                      VideoRecord source, std::string source_id,
                      std::shared_ptr<Json> fields)
      : OperationDecorator(std::move(create)),
        vendor_(vendor),
        source_(std::move(source)),
        source_id_(std::move(source_id)),
        fields_(std::move(fields)) {}

  Step start(int64_t now) override {
    auto call = build_status_call(vendor_, source_, now);
    if (!call) {
      return answer(
          internal_error("The vendor rules produced no status path."));
    }
    reading_ = true;
    return Step::call_vendor(std::move(*call));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (!reading_) return OperationDecorator::on_reply(reply, now);
    reading_ = false;
    auto status = read_status_reply(vendor_, CallPhase::retrieve, reply, now);
    if (status.error) return answer(*status.error);
    VideoView view = read_video_state(vendor_, status.body, source_, now);
    if (view.status != VideoStatus::completed) {
      return answer(
          invalid_request("Video '" + source_id_.substr(0, 200) + "' is " +
                              to_string(view.status) +
                              "; only a completed video can be extended.",
                          std::string("video"), "video_not_finished"));
    }
    for (const auto& [name, path] : vendor_.rules().extend->source) {
      auto value = path.find_text(status.body);
      if (!value || value->empty()) {
        ApiError e =
            internal_error("Vendor '" + vendor_.name() + "' reported video '" +
                           source_id_.substr(0, 200) + "' without its " + name +
                           ", which an extension needs.");
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
  bool reading_ = false;
};

}  // namespace

std::unique_ptr<Operation> with_extension_source(
    std::unique_ptr<Operation> create, Vendor& vendor, VideoRecord source,
    std::string source_id, std::shared_ptr<Json> fields) {
  return std::make_unique<ExtensionSourceRead>(
      std::move(create), vendor, std::move(source), std::move(source_id),
      std::move(fields));
}

}  // namespace vgw
