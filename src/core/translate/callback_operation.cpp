#include "translate/callback_operation.hpp"

#include "translate/rule_steps.hpp"

#include "api/api_error.hpp"
#include "translate/status_query.hpp"
#include "translate/video_state.hpp"
#include "util/strings.hpp"
#include "webhooks/webhook_event.hpp"

namespace vgw {
namespace {

constexpr int kDeliveryAttempts = 2;
constexpr int kDeliverySeconds = 10;

class CallbackOperation : public Operation {
 public:
  CallbackOperation(Vendor& vendor, OpenedCallback callback,
                    const VideoIdSealer& sealer, const WebhookPolicy& webhooks)
      : vendor_(vendor),
        callback_(std::move(callback)),
        sealer_(sealer),
        webhooks_(webhooks),
        query_(vendor, callback_.record) {
    facts_.operation = "callback";
    facts_.vendor = vendor.vendor_name();
    facts_.account = vendor.name();
    facts_.model = callback_.record.model;
    facts_.task_id = callback_.record.task_id;
  }

  Step start(int64_t now) override {
    // The target was checked at create time; the policy may have changed
    // since (reload), so it is checked again before anything is sent.
    if (auto why = webhooks_.refuse(callback_.target.url)) {
      return acknowledge("dropped: " + *why);
    }
    return ask(now);
  }

  Step ask(int64_t now) {
    auto next = query_.next(now);
    if (auto* e = std::get_if<ApiError>(&next)) return finish(*e);
    return Step::call_vendor(std::move(std::get<UpstreamCall>(next)));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (delivery_) return on_delivered(reply);
    if (query_.answers_step()) {
      if (auto e = query_.take_step(reply, now)) return finish(*e);
      return ask(now);
    }
    auto status = read_status_reply(vendor_, CallPhase::retrieve, reply, now);
    if (status.error) return finish(*status.error);
    VideoView view =
        read_video_state(vendor_, status.body, callback_.record, now);
    if (view.status != VideoStatus::completed &&
        view.status != VideoStatus::failed) {
      return acknowledge("not finished yet");
    }
    // The callback sees the task end: the usage record and task slots
    // wrapped around this operation settle on these facts.
    facts_.status = to_string(view.status);
    facts_.seconds = callback_.record.seconds;
    facts_.size = callback_.record.size;
    facts_.created_at = callback_.record.created_at;
    facts_.completed_at = view.completed_at.value_or(0);
    std::string video_id = sealer_.seal_for_digest(
        callback_.record, callback_.target.binding_digest);
    facts_.video_id = video_id;
    delivery_ = webhook_delivery(callback_.target.url, webhooks_.secret,
                                 view.status == VideoStatus::completed
                                     ? "video.completed"
                                     : "video.failed",
                                 video_id, now);
    delivery_->deadline_seconds = kDeliverySeconds;
    attempts_ = 1;
    auto url = parse_url(callback_.target.url);
    if (!url) return acknowledge("dropped: not a URL");
    if (auto name = name_to_resolve(*url)) return Step::resolve(*name);
    return Step::call_vendor(*delivery_);
  }

  // The target's name resolved: the event goes to an address that was
  // checked, never to whatever a second lookup would say.
  Step on_resolved(const ResolvedHost& host, int64_t) override {
    auto url = parse_url(callback_.target.url);
    if (!delivery_ || !url) return acknowledge("dropped: not a URL");
    if (auto why = pin_client_target(*delivery_, *url, host.addresses,
                                     webhooks_.targets())) {
      return not_delivered();
    }
    return Step::call_vendor(*delivery_);
  }

 private:
  Step on_delivered(const UpstreamReply& reply) {
    if (reply.status >= 200 && reply.status <= 299) {
      return acknowledge("delivered");
    }
    if (attempts_ < kDeliveryAttempts && reply.local_status == 0) {
      ++attempts_;  // same webhook-id: receivers deduplicate on it
      return Step::call_vendor(*delivery_);
    }
    return not_delivered();
  }

  // The vendor is answered 502, so vendors that retry callbacks try later.
  Step not_delivered() {
    ApiError e = internal_error(
        "The client's webhook endpoint did not accept the event.");
    e.status = 502;
    e.type = "api_error";
    e.code = "webhook_delivery_failed";
    return finish(e);
  }

  Step acknowledge(const std::string& what) {
    HttpResponse r;
    r.body = nlohmann::json{{"received", true}, {"webhook", what}}.dump();
    return finish(std::move(r));
  }

  Vendor& vendor_;
  OpenedCallback callback_;
  const VideoIdSealer& sealer_;
  const WebhookPolicy& webhooks_;
  std::optional<UpstreamCall> delivery_;
  StatusQuery query_;
  int attempts_ = 0;
};

}  // namespace

std::unique_ptr<Operation> make_callback_operation(
    Vendor& vendor, OpenedCallback callback, const VideoIdSealer& sealer,
    const WebhookPolicy& webhooks) {
  return std::make_unique<CallbackOperation>(vendor, std::move(callback),
                                             sealer, webhooks);
}

}  // namespace vgw
