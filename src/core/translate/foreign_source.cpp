#include "translate/foreign_source.hpp"

#include "api/video_upload.hpp"

namespace vgw {
namespace {

class ForeignSourceRead : public Operation {
 public:
  ForeignSourceRead(std::unique_ptr<Operation> read, MakeFromVideo make,
                    ForeignSource source)
      : read_(std::move(read)),
        make_(std::move(make)),
        source_(std::move(source)) {
    facts_.operation = source_.extension ? "extension" : "edit";
  }

  Step start(int64_t now) override { return after(read_->start(now), now); }
  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (made_) return made_->on_reply(reply, now);
    return after(read_->on_reply(reply, now), now);
  }
  Step on_resolved(const ResolvedHost& host, int64_t now) override {
    if (made_) return made_->on_resolved(host, now);
    return after(read_->on_resolved(host, now), now);
  }
  Step on_store(const StoreReply& reply, int64_t now) override {
    if (made_) return made_->on_store(reply, now);
    return after(read_->on_store(reply, now), now);
  }
  Step on_timer(int64_t now) override {
    if (made_) return made_->on_timer(now);
    return after(read_->on_timer(now), now);
  }
  std::optional<std::string> redirect_target(
      std::string_view location) const override {
    return made_ ? made_->redirect_target(location) : std::nullopt;
  }
  const RequestFacts& facts() const override {
    return made_ ? made_->facts() : facts_;
  }
  RequestFacts& facts_to_amend() override {
    return made_ ? made_->facts_to_amend() : facts_;
  }

 private:
  // The reader's step: passed on until it names the file (a download it
  // would stream, or the file itself), which the target's request gets.
  Step after(Step step, int64_t now) {
    if (step.kind == Step::Kind::respond && step.response.status != 200) {
      return refused(std::move(step.response));
    }
    ImageInput video;
    video.param = "video";
    if (step.kind == Step::Kind::stream_media) {
      if (!step.media.headers.empty()) {
        return cannot_hand_on(
            "its vendor serves the file only with its own credentials");
      }
      if (!source_.takes->takes_url) {
        return cannot_hand_on("vendor '" + source_.target_vendor +
                              "' takes the video's bytes, not a URL");
      }
      file_ = std::move(step.media.url);
      video.kind = ImageInput::Kind::url;
    } else if (step.kind == Step::Kind::respond) {
      if (!source_.takes->takes_bytes) {
        return cannot_hand_on(
            "its vendor returns the file inline and vendor '" +
            source_.target_vendor + "' takes a URL");
      }
      file_ = std::move(step.response.body);
      video.kind = ImageInput::Kind::bytes;
      video.mime = sniff_video_type(file_);
      video.filename = "video.mp4";
    } else {
      return step;
    }
    video.data = file_;
    made_ = make_(std::move(video));
    read_.reset();
    return made_->start(now);
  }

  // The reader's own refusals speak of downloads; these speak of sources.
  Step refused(HttpResponse response) {
    facts_ = read_->facts();
    facts_.operation = source_.extension ? "extension" : "edit";
    const char* what = source_.extension ? "extended." : "edited.";
    const std::string& code = read_->facts().outcome;
    if (code == "video_not_ready") {
      return finish(invalid_request(
          "Video '" + source_.video_id.substr(0, 200) +
              "' is not completed; only a completed video can be " + what,
          std::string("video"), "video_not_finished"));
    }
    if (code == "video_failed") {
      return finish(
          invalid_request("Video '" + source_.video_id.substr(0, 200) +
                              "' failed, so there is nothing to " +
                              (source_.extension ? "extend." : "edit."),
                          std::string("video"), "video_failed"));
    }
    return Step::respond(std::move(response));
  }

  Step cannot_hand_on(const std::string& why) {
    return finish(invalid_request("Video '" + source_.video_id.substr(0, 200) +
                                      "' cannot be passed to "
                                      "vendor '" +
                                      source_.target_vendor + "': " + why + ".",
                                  std::string("video"),
                                  "unsupported_by_vendor"));
  }

  std::unique_ptr<Operation> read_;
  MakeFromVideo make_;
  ForeignSource source_;
  std::string file_;  // what `video` views: the URL or the bytes
  std::unique_ptr<Operation> made_;
};

}  // namespace

std::unique_ptr<Operation> with_foreign_source(std::unique_ptr<Operation> read,
                                               MakeFromVideo make,
                                               ForeignSource source) {
  return std::make_unique<ForeignSourceRead>(std::move(read), std::move(make),
                                             std::move(source));
}

}  // namespace vgw
