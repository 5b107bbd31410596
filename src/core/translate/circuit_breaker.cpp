#include "translate/circuit_breaker.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace vgw {
namespace {

// A probe that never reports back (a worker gone mid-call) frees the way
// for another after this long.
constexpr int64_t kProbeSeconds = 60;
// Failures further apart than this are not consecutive.
constexpr int64_t kCountSeconds = 600;

bool vendor_failed(const UpstreamReply& r) {
  if (r.local_status != 0) return false;  // nginx refused it, not the vendor
  return r.status == 0 || r.timed_out || r.truncated || r.status >= 500;
}

std::optional<int> count_in(const StoreReply& reply) {
  if (!reply.ok || !reply.value) return std::nullopt;
  auto n = parse_uint(*reply.value);
  if (!n) return std::nullopt;
  return static_cast<int>(std::min<uint64_t>(*n, 1000000));
}

class Breaker : public OperationDecorator {
 public:
  Breaker(std::unique_ptr<Operation> inner, const std::string& vendor,
          const BreakerSettings& settings, BreakerMemo& memo)
      : OperationDecorator(std::move(inner)),
        vendor_(vendor),
        settings_(settings),
        memo_(memo) {}

  Step start(int64_t now) override {
    now_ = now;
    Step step = inner_->start(now);
    forward(step);
    return step;
  }

  Step on_resolved(const ResolvedHost& host, int64_t now) override {
    now_ = now;
    return pass(inner_->on_resolved(host, now));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    now_ = now;
    if (watching_) {
      watching_ = false;
      if (vendor_failed(reply)) {
        memo_.closed_at = -1;
        held_reply_ = reply;
        phase_ = Phase::counting;
        return Step::query_store(
            {StoreCommand::Op::incr, key(""), "1", kCountSeconds, false});
      }
      if (failures_ > 0) {  // the vendor answers again: count anew
        held_reply_ = reply;
        phase_ = Phase::closing;
        return Step::query_store(
            {StoreCommand::Op::del, key(""), {}, 0, false});
      }
    }
    Step step = inner_->on_reply(reply, now);
    forward(step);
    return step;
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    now_ = now;
    switch (phase_) {
      case Phase::idle:
        return pass(inner_->on_store(reply, now));
      case Phase::checking_count:
        // Most calls end here: no recent failure, no key.
        failures_ = count_in(reply).value_or(0);
        if (reply.ok && failures_ == 0) memo_.closed_at = now;
        if (failures_ < settings_.failures) return release();
        phase_ = Phase::checking_open;
        return Step::query_store(
            {StoreCommand::Op::get, key(":open"), {}, 0, false});
      case Phase::checking_open:
        if (reply.ok && reply.value) {
          auto until = parse_uint(*reply.value);
          return refuse(until ? static_cast<int64_t>(*until) - now
                              : settings_.cooldown_seconds);
        }
        // The cooldown is over: one call goes through to find out.
        phase_ = Phase::claiming_probe;
        return Step::query_store(
            {StoreCommand::Op::set, key(":probe"), "1", kProbeSeconds, true});
      case Phase::claiming_probe:
        if (!reply.ok || reply.done) return release();
        return refuse(1);
      case Phase::counting:
        if (count_in(reply).value_or(0) >= settings_.failures) {
          phase_ = Phase::opening;
          return Step::query_store(
              {StoreCommand::Op::set, key(":open"),
               std::to_string(now + settings_.cooldown_seconds),
               settings_.cooldown_seconds, false});
        }
        return deliver(now);
      case Phase::opening:
      case Phase::closing:
        phase_ = Phase::unprobing;
        return Step::query_store(
            {StoreCommand::Op::del, key(":probe"), {}, 0, false});
      case Phase::unprobing:
        return deliver(now);
    }
    return answer(internal_error("Unexpected store reply."));
  }

 protected:
  // A vendor call waits for the breaker's word (a store read) first.
  void forward(Step& step) override {
    if (step.kind != Step::Kind::call_vendor || step.call.client_host) return;
    if (memo_.closed_at == now_) {
      watching_ = true;
      return;
    }
    held_call_ = std::move(step.call);
    phase_ = Phase::checking_count;
    step = Step::query_store({StoreCommand::Op::get, key(""), {}, 0, false});
  }

 private:
  enum class Phase {
    idle,
    checking_count,
    checking_open,
    claiming_probe,
    counting,
    opening,
    closing,
    unprobing
  };

  // "breaker:kling" counts consecutive failures; ":open" is there for the
  // cooldown; ":probe" is the one call let through after it.
  std::string key(const char* suffix) const {
    return "breaker:" + vendor_ + suffix;
  }

  Step release() {
    phase_ = Phase::idle;
    watching_ = true;
    return Step::call_vendor(std::move(held_call_));
  }

  Step deliver(int64_t now) {
    phase_ = Phase::idle;
    return pass(inner_->on_reply(held_reply_, now));
  }

  Step refuse(int64_t wait) {
    phase_ = Phase::idle;
    ApiError e = internal_error(
        "Vendor '" + vendor_ +
        "' is failing; calls to it are paused for a while. Retry later.");
    e.status = 503;
    e.code = "vendor_unavailable";
    e.retry_after_seconds = static_cast<int>(std::clamp<int64_t>(
        wait, 1, std::max<int64_t>(1, settings_.cooldown_seconds)));
    Step step = answer(e);
    facts_to_amend().try_next_account = true;  // nothing was sent
    return step;
  }

  const std::string& vendor_;
  BreakerSettings settings_;
  BreakerMemo& memo_;
  int64_t now_ = 0;
  Phase phase_ = Phase::idle;
  bool watching_ = false;  // the call in flight passed the breaker
  int failures_ = 0;
  UpstreamCall held_call_;
  UpstreamReply held_reply_;
};

}  // namespace

std::unique_ptr<Operation> with_breaker(std::unique_ptr<Operation> inner,
                                        const std::string& vendor,
                                        const BreakerSettings& settings,
                                        BreakerMemo& memo) {
  if (!settings.enabled()) return inner;
  return std::make_unique<Breaker>(std::move(inner), vendor, settings, memo);
}

}  // namespace vgw
