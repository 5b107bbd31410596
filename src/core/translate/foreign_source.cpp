#include "translate/foreign_source.hpp"

#include "api/video_upload.hpp"
#include "translate/upload_limits.hpp"

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
    if (downloading_) return take_download(reply, now);
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
    if (step.kind == Step::Kind::stream_media) {
      if (!step.media.headers.empty()) {
        return cannot_hand_on(
            "its vendor serves the file only with its own credentials");
      }
      if (!source_.takes_url) return download(std::move(step.media));
      file_ = std::move(step.media.url);
      ImageInput video;
      video.param = "video";
      video.kind = ImageInput::Kind::url;
      video.data = file_;
      return hand_on(std::move(video), now);
    }
    if (step.kind != Step::Kind::respond) return step;
    if (!source_.takes_bytes) {
      return cannot_hand_on("its vendor returns the file inline and vendor '" +
                            source_.target->name() + "' takes a URL");
    }
    file_ = std::move(step.response.body);
    return hand_on_bytes(now);
  }

  Step hand_on(ImageInput video, int64_t now) {
    made_ = make_(std::move(video));
    read_.reset();
    return made_->start(now);
  }

  // The target's limits for a video it is sent, as for an upload.
  Step hand_on_bytes(int64_t now) {
    ImageInput video;
    video.param = "video";
    video.kind = ImageInput::Kind::bytes;
    video.data = file_;
    video.mime = sniff_video_type(file_);
    video.filename = "video.mp4";
    static const VideoLimits kAny;
    if (auto e = refuse_upload(source_.limits ? *source_.limits : kAny, video,
                               *source_.target,
                               source_.extension ? "extends" : "edits")) {
      return finish(*e);
    }
    return hand_on(std::move(video), now);
  }

  // A result URL on the source vendor's result hosts (the reader checked
  // it), downloaded through the call location, whose reply buffer bounds
  // its size.
  Step download(MediaFetch media) {
    downloading_ = true;
    UpstreamCall call;
    call.url = std::move(media.url);
    call.headers = {{"Accept", "video/*"}, {"Accept-Encoding", "identity"}};
    return Step::call_vendor(std::move(call));
  }

  Step take_download(const UpstreamReply& reply, int64_t now) {
    downloading_ = false;
    if (reply.too_large) {
      return cannot_hand_on(
          "its file is larger than the gateway downloads to pass on (the "
          "call location's subrequest_output_buffer_size)");
    }
    if (reply.status != 200 || reply.truncated || reply.unreadable) {
      ApiError e = internal_error("The file of video '" +
                                  source_.video_id.substr(0, 200) +
                                  "' could not be downloaded from its vendor.");
      e.status = 502;
      e.code = "source_download_failed";
      return finish(e);
    }
    file_ = std::string(reply.body);
    return hand_on_bytes(now);
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
    return finish(
        invalid_request("Video '" + source_.video_id.substr(0, 200) +
                            "' cannot be passed to "
                            "vendor '" +
                            source_.target->name() + "': " + why + ".",
                        std::string("video"), "unsupported_by_vendor"));
  }

  std::unique_ptr<Operation> read_;
  MakeFromVideo make_;
  ForeignSource source_;
  std::string file_;  // what `video` views: the URL or the bytes
  bool downloading_ = false;
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
