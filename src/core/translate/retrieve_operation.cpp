#include "translate/retrieve_operation.hpp"

#include <algorithm>

#include "api/video_object.hpp"
#include "rules/scope.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"
#include "translate/rule_steps.hpp"
#include "translate/status_query.hpp"
#include "translate/video_state.hpp"

namespace vgw {
namespace {

// Shared by retrieve and content: both start with the vendor status query.
class StatusOperation : public Operation {
 public:
  StatusOperation(Vendor& vendor, VideoRecord record, std::string video_id,
                  const char* operation)
      : vendor_(vendor), record_(std::move(record)), query_(vendor, record_) {
    facts_.operation = operation;
    facts_.vendor = vendor.vendor_name();
    facts_.account = vendor.name();
    facts_.model = record_.model;
    facts_.task_id = record_.task_id;
    facts_.video_id = std::move(video_id);
  }

  Step start(int64_t now) override { return ask(now); }

 protected:
  Step ask(int64_t now) {
    auto next = query_.next(now);
    if (auto* e = std::get_if<ApiError>(&next)) return finish(*e);
    return Step::call_vendor(std::move(std::get<UpstreamCall>(next)));
  }

  // A reply to one of the status query's steps: the next call, or the
  // error; nullopt for the status reply itself.
  std::optional<Step> step_reply(const UpstreamReply& reply, int64_t now) {
    if (!query_.answers_step()) return std::nullopt;
    if (auto e = query_.take_step(reply, now)) return finish(*e);
    return ask(now);
  }

  Vendor& vendor_;
  VideoRecord record_;
  StatusQuery query_;
};

// With a status cache, polls are coalesced: a worker's own cache first,
// then the store's copy (shared by all workers, and by every instance on
// one Redis), and only the poll that takes the store's lock for the period
// calls the vendor; the others wait for its result, or answer from the
// last one. An unreachable store costs the coalescing, never the answer.
class RetrieveOperation : public StatusOperation {
 public:
  RetrieveOperation(Vendor& vendor, VideoRecord record, std::string video_id,
                    std::string content_url, StatusCache* cache,
                    std::shared_ptr<const VideoNotes> notes)
      : StatusOperation(vendor, std::move(record), std::move(video_id),
                        "retrieve"),
        content_url_(std::move(content_url)),
        cache_(cache && cache->enabled() ? cache : nullptr),
        notes_(std::move(notes)) {
    if (cache_) {
      cache_key_ =
          vendor_.name() + '\n' + record_.kind + '\n' + record_.task_id;
    }
  }

  Step start(int64_t now) override {
    if (!cache_) return StatusOperation::start(now);
    if (const std::string* body = cache_->find(cache_key_, now)) {
      return render_cached(*body, now);
    }
    return read_shared();
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    switch (phase_) {
      case Phase::reading: {
        std::optional<Shared> shared;
        if (reply.ok && reply.value) shared = parse_shared(*reply.value);
        if (shared && now - shared->at < cache_->ttl()) {
          cache_->put(cache_key_, std::string(shared->body), shared->at);
          return render_cached(std::string(shared->body), now);
        }
        if (!reply.ok) return call_vendor(now);
        if (shared) last_ = std::string(shared->body);
        phase_ = Phase::locking;
        return Step::query_store(
            {StoreCommand::Op::set, lock_key(), "1", cache_->ttl(), true});
      }
      case Phase::locking:
        if (!reply.ok || reply.done) return call_vendor(now);
        // Another poll is calling the vendor.
        if (!last_.empty()) return render_cached(std::string(last_), now);
        if (++waits_ > kMaxWaits) return call_vendor(now);
        return Step::wait(kWaitMs);
      case Phase::writing:
        return std::move(held_);
      case Phase::none:
        break;
    }
    return StatusOperation::on_store(reply, now);
  }

  Step on_timer(int64_t) override { return read_shared(); }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (auto step = step_reply(reply, now)) return std::move(*step);
    Step step = render(reply, now);
    if (!cache_ || step.response.status != 200) return step;
    cache_->put(cache_key_, std::string(reply.body), now);
    if (reply.body.size() > kMaxShared) return step;
    held_ = std::move(step);
    phase_ = Phase::writing;
    std::string value = std::to_string(now);
    value.append(1, '\n').append(reply.body);
    // Kept past its period: it answers polls while the next call runs.
    return Step::query_store({StoreCommand::Op::set, shared_key(),
                              std::move(value), cache_->ttl() + kKeepSeconds,
                              false, true});
  }

 private:
  enum class Phase { none, reading, locking, writing };
  static constexpr int kMaxWaits = 50;
  static constexpr int64_t kWaitMs = 50;
  static constexpr int64_t kKeepSeconds = 60;
  // A status with the video inline (Vertex AI's small results) stays in
  // the worker's cache only.
  static constexpr size_t kMaxShared = 256 * 1024;

  struct Shared {
    int64_t at;
    std::string_view body;
  };
  static std::optional<Shared> parse_shared(std::string_view value) {
    size_t nl = value.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    auto at = parse_int(value.substr(0, nl));
    if (!at) return std::nullopt;
    return Shared{*at, value.substr(nl + 1)};
  }

  std::string shared_key() const { return "poll:" + cache_key_; }
  std::string lock_key() const { return "pollock:" + cache_key_; }

  Step read_shared() {
    phase_ = Phase::reading;
    return Step::query_store(
        {StoreCommand::Op::get, shared_key(), {}, 0, false});
  }

  Step call_vendor(int64_t now) {
    phase_ = Phase::none;
    return StatusOperation::start(now);
  }

  Step render_cached(std::string body, int64_t now) {
    phase_ = Phase::none;
    cached_ = std::move(body);
    UpstreamReply reply;
    reply.status = 200;
    reply.body = cached_;
    return render(reply, now);
  }

  Step render(const UpstreamReply& reply, int64_t now) {
    auto status = read_status_reply(vendor_, CallPhase::retrieve, reply, now);
    if (status.error) return finish(*status.error);
    VideoView view = read_video_state(vendor_, status.body, record_, now);
    view.id = facts_.video_id;
    if (!content_url_.empty()) view.url = content_url_;
    if (notes_) {
      if (notes_->prompt) view.prompt = notes_->prompt;
      view.remixed_from = notes_->remixed_from;
    }
    facts_.seconds = record_.seconds;
    facts_.size = record_.size;
    facts_.status = to_string(view.status);
    facts_.created_at = record_.created_at;
    facts_.completed_at = view.completed_at.value_or(0);
    HttpResponse r;
    r.body = render_video(view);
    if (view.status == VideoStatus::queued ||
        view.status == VideoStatus::in_progress) {
      // The SDKs' poll() waits this long between retrieves; sooner than the
      // status cache's period would only read the cache again.
      int64_t ms = std::max<int64_t>(1000, cache_ ? cache_->ttl() * 1000 : 0);
      r.headers.push_back({"openai-poll-after-ms", std::to_string(ms)});
    }
    return finish(std::move(r));
  }

  std::string content_url_;
  StatusCache* cache_;
  std::shared_ptr<const VideoNotes> notes_;
  std::string cache_key_;
  std::string cached_;  // the cached body a hit is rendered from
  std::string last_;    // the store's last body, past its period
  Phase phase_ = Phase::none;
  int waits_ = 0;
  Step held_;  // the answer, while the store takes its body
};

const std::vector<StepRule>& variant_steps(const Vendor& vendor,
                                           const std::string& variant) {
  static const std::vector<StepRule> kNone;
  const auto& variants = vendor.rules().retrieve.variants;
  auto it = variants.find(variant);
  return it == variants.end() ? kNone : it->second.steps;
}

class ContentOperation : public StatusOperation {
 public:
  ContentOperation(Vendor& vendor, VideoRecord record, std::string video_id,
                   std::string variant)
      : StatusOperation(vendor, std::move(record), std::move(video_id),
                        "content"),
        variant_(std::move(variant)),
        steps_(variant_steps(vendor, variant_)) {}

  Step start(int64_t now) override {
    const auto& variants = vendor_.rules().retrieve.variants;
    if (!variants.count(variant_)) {
      ApiError e = not_found("Variant '" + variant_ +
                             "' is not available for videos made by vendor '" +
                             vendor_.name() + "'.");
      e.param = "variant";
      e.code = "variant_not_found";
      return finish(e);
    }
    return StatusOperation::start(now);
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (auto step = step_reply(reply, now)) return std::move(*step);
    const VariantRule& variant = vendor_.rules().retrieve.variants.at(variant_);
    if (steps_.awaiting()) {
      if (auto e = steps_.take_reply(vendor_, CallPhase::content, reply, now))
        return finish(*e);
      if (steps_.pending()) return next_step(now);
      return deliver(variant, steps_.last_reply(), now);
    }
    auto parsed = read_status_reply(vendor_, CallPhase::content, reply, now);
    if (parsed.error) return finish(*parsed.error);
    VideoView view = read_video_state(vendor_, parsed.body, record_, now);
    if (view.status == VideoStatus::failed) {
      return finish(
          invalid_request("Video generation failed, so there is no content: " +
                              view.error->message,
                          std::nullopt, "video_failed"));
    }
    if (view.status != VideoStatus::completed) {
      return finish(invalid_request(
          std::string("Video is not ready yet (status: ") +
              to_string(view.status) +
              "). Poll GET /v1/videos/{id} until it is completed.",
          std::nullopt, "video_not_ready"));
    }
    if (!steps_.pending()) return deliver(variant, parsed.body, now);
    status_reply_ = parsed.body.copy(parsed.body.root());
    return next_step(now);
  }

  std::optional<std::string> redirect_target(
      std::string_view location) const override {
    std::string target(location);
    if (starts_with(location, "/") && !starts_with(location, "//")) {
      auto base = parse_url(media_url_);
      if (!base) return std::nullopt;
      target = base->scheme + "://" + base->authority + target;
    }
    if (!allowed(target)) return std::nullopt;
    return target;
  }

 private:
  bool allowed(const std::string& url) const {
    if (url.find_first_of(std::string("\r\n\t \0", 5)) != std::string::npos)
      return false;
    auto parsed = parse_url(url);
    return parsed && vendor_.result_url_allowed(*parsed);
  }

  Step no_such_file() {
    ApiError e = not_found("Vendor '" + vendor_.name() + "' has no '" +
                           variant_ + "' file for this video.");
    e.param = "variant";
    e.code = "variant_not_found";
    return finish(e);
  }

  // The variant's steps see the status reply as `reply` and what the steps
  // before them read as `steps`.
  Step next_step(int64_t now) {
    Json root = call_scope(vendor_, record_, variant_);
    JsonScope scope(root);
    scope.bind("reply", status_reply_);
    scope.bind("steps", steps_.names());
    auto call = steps_.next_call(vendor_, scope, now);
    if (!call) return no_such_file();
    return Step::call_vendor(std::move(*call));
  }

  // `body` is the last reply: the status query's, or its last step's.
  Step deliver(const VariantRule& variant, const JsonDocument& body,
               int64_t now) {
    if (variant.from_is_file) return deliver_inline(variant, body);
    std::optional<std::string> url;
    if (variant.from) {
      const Json* v = variant.from->find(body);
      if (v && v->is_string() && !v->get<std::string>().empty())
        url = v->get<std::string>();
    } else {
      Json root = call_scope(vendor_, record_, variant_);
      JsonScope scope(root);
      scope.bind("steps", steps_.names());
      url = variant.url->render_text(scope);
    }
    if (!url) return no_such_file();
    if (!allowed(*url)) {
      ApiError e =
          internal_error("Vendor '" + vendor_.name() +
                         "' returned a result URL on a host its rules do "
                         "not allow; refusing to fetch it.");
      e.status = 502;
      e.code = "result_host_not_allowed";
      return finish(e);
    }
    MediaFetch media;
    media.url = *url;
    media_url_ = *url;
    media.content_type = variant.content_type;
    if (variant.send_auth) {
      UpstreamCall signing;
      signing.url = *url;
      vendor_.sign(signing, now);
      media.headers = std::move(signing.headers);
    }
    facts_.outcome = "ok";
    return Step::stream(std::move(media));
  }

  // Vertex AI returns small results inline as base64 instead of a URL.
  Step deliver_inline(const VariantRule& variant, const JsonDocument& body) {
    const Json* v = variant.from->find(body);
    if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) {
      return no_such_file();
    }
    auto bytes = base64_decode(v->get_ref<const std::string&>());
    if (!bytes) {
      ApiError e =
          internal_error("Vendor '" + vendor_.name() +
                         "' returned a file that is not valid base64.");
      e.status = 502;
      e.code = "vendor_bad_response";
      return finish(e);
    }
    HttpResponse r;
    r.body = std::move(*bytes);
    r.content_type = variant.content_type;
    return finish(std::move(r));
  }

 private:
  std::string variant_;
  RuleSteps steps_;
  Json status_reply_;  // for the steps, as ${reply.…}
  std::string media_url_;
};

}  // namespace

std::unique_ptr<Operation> make_retrieve_operation(
    Vendor& vendor, VideoRecord record, std::string video_id,
    std::string content_url, StatusCache* cache,
    std::shared_ptr<const VideoNotes> notes) {
  return std::make_unique<RetrieveOperation>(
      vendor, std::move(record), std::move(video_id), std::move(content_url),
      cache, std::move(notes));
}

std::unique_ptr<Operation> make_content_operation(Vendor& vendor,
                                                  VideoRecord record,
                                                  std::string video_id,
                                                  std::string variant) {
  return std::make_unique<ContentOperation>(
      vendor, std::move(record), std::move(video_id), std::move(variant));
}

}  // namespace vgw
