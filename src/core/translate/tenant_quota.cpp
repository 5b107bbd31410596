#include "translate/tenant_quota.hpp"

#include "translate/create_outcome.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

// "2026-12" and "2026-12-02" of a Unix time (UTC), by the civil calendar.
std::string utc_date(int64_t now, bool with_day) {
  int64_t z = now / 86400 + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto two = [](int64_t n) {
    return std::string(n < 10 ? "0" : "") + std::to_string(n);
  };
  std::string text = std::to_string(year) + "-" + two(month);
  if (with_day) text += "-" + two(day);
  return text;
}

class TenantQuota : public OperationDecorator {
 public:
  TenantQuota(std::unique_ptr<Operation> create, const Tenant& tenant)
      : OperationDecorator(std::move(create)), tenant_(tenant) {}

  Step start(int64_t now) override {
    now_ = now;
    if (tenant_.limits.creates_per_minute > 0) {
      phase_ = Phase::counting_rate;
      return incr(rate_key(), 1, 120);
    }
    return pass(inner_->start(now));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    now_ = now;
    return pass(inner_->on_reply(reply, now));
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    now_ = now;
    switch (phase_) {
      case Phase::idle:
        return pass(inner_->on_store(reply, now));
      case Phase::counting_rate: {
        auto n = store_number(reply);
        if (n && *n > tenant_.limits.creates_per_minute) {
          phase_ = Phase::refusing;
          refusal_ = rate_limited();
          return incr(rate_key(), -1, 120);
        }
        phase_ = Phase::idle;
        return pass(inner_->start(now));
      }
      case Phase::charging_day: {
        auto n = store_number(reply);
        if (n) charged_day_ = true;
        if (n && *n > tenant_.limits.video_seconds_per_day) {
          return refuse_quota("day");
        }
        return charge_month();
      }
      case Phase::charging_month: {
        auto n = store_number(reply);
        if (n) charged_month_ = true;
        if (n && *n > tenant_.limits.video_seconds_per_month) {
          return refuse_quota("month");
        }
        phase_ = Phase::idle;
        return Step::call_vendor(std::move(held_call_));
      }
      case Phase::refunding_day:
        charged_day_ = false;
        return refund();
      case Phase::refunding_month:
        charged_month_ = false;
        return refund();
      case Phase::refusing:
        phase_ = Phase::answered;
        return answer(refusal_);
      case Phase::answered:
        break;
    }
    return answer(internal_error("Unexpected store reply."));
  }

 protected:
  void forward(Step& step) override {
    // At the first vendor call of a known length: an extension or edit
    // first reads its source (its length unknown until then).
    if (step.kind == Step::Kind::call_vendor && !step.call.client_host &&
        !charging_started_ && seconds_limited() &&
        !inner_->facts().seconds.empty()) {
      charging_started_ = true;
      seconds_ =
          static_cast<int64_t>(parse_uint(inner_->facts().seconds).value_or(0));
      held_call_ = std::move(step.call);
      step = charge_day();
      return;
    }
    if (step.kind == Step::Kind::respond && (charged_day_ || charged_month_) &&
        create_made_no_task(step.response)) {
      held_response_ = std::move(step.response);
      refunding_ = true;
      step = refund();
    }
  }

 private:
  enum class Phase {
    idle,
    counting_rate,
    charging_day,
    charging_month,
    refunding_day,
    refunding_month,
    refusing,
    answered
  };

  bool seconds_limited() const {
    return tenant_.limits.video_seconds_per_day > 0 ||
           tenant_.limits.video_seconds_per_month > 0;
  }
  std::string rate_key() const {
    return "quota:" + tenant_.name + ":minute:" + std::to_string(now_ / 60);
  }
  std::string day_key() const {
    return "quota:" + tenant_.name + ":day:" + utc_date(now_, true);
  }
  std::string month_key() const {
    return "quota:" + tenant_.name + ":month:" + utc_date(now_, false);
  }
  static Step incr(std::string key, int64_t by, int64_t ttl) {
    return Step::query_store({StoreCommand::Op::incr, std::move(key),
                              std::to_string(by), ttl, false});
  }

  Step charge_day() {
    if (tenant_.limits.video_seconds_per_day <= 0) return charge_month();
    phase_ = Phase::charging_day;
    return incr(day_key(), seconds_, 2 * 86400);
  }
  Step charge_month() {
    if (tenant_.limits.video_seconds_per_month <= 0) {
      phase_ = Phase::idle;
      return Step::call_vendor(std::move(held_call_));
    }
    phase_ = Phase::charging_month;
    return incr(month_key(), seconds_, 32 * 86400);
  }

  Step refuse_quota(const char* period) {
    ApiError e = invalid_request(
        "Tenant '" + tenant_.name + "' has used its video-seconds for this " +
            period + "; the limit resets at the start of the next one (UTC).",
        std::nullopt, "insufficient_quota");
    e.status = 429;
    e.type = "insufficient_quota";
    e.no_retry = true;
    refusal_ = e;
    return refund();
  }

  // Gives back what was charged, then answers: the refusal, or the
  // inner operation's answer of a create that made no task.
  Step refund() {
    if (charged_day_) {
      phase_ = Phase::refunding_day;
      return incr(day_key(), -seconds_, 2 * 86400);
    }
    if (charged_month_) {
      phase_ = Phase::refunding_month;
      return incr(month_key(), -seconds_, 32 * 86400);
    }
    phase_ = Phase::answered;
    if (refunding_) return Step::respond(std::move(held_response_));
    return answer(refusal_);
  }

  ApiError rate_limited() const {
    ApiError e =
        invalid_request("Tenant '" + tenant_.name + "' is over its " +
                            std::to_string(tenant_.limits.creates_per_minute) +
                            " creates per minute; retry after the minute.",
                        std::nullopt, "rate_limit_exceeded");
    e.status = 429;
    e.type = "requests";
    e.retry_after_seconds = static_cast<int>(60 - now_ % 60);
    return e;
  }

  const Tenant& tenant_;
  Phase phase_ = Phase::idle;
  int64_t now_ = 0;
  int64_t seconds_ = 0;
  bool charging_started_ = false;
  bool charged_day_ = false, charged_month_ = false;
  bool refunding_ = false;
  UpstreamCall held_call_;
  HttpResponse held_response_;
  ApiError refusal_;
};

}  // namespace

std::unique_ptr<Operation> with_tenant_quota(std::unique_ptr<Operation> create,
                                             const Tenant& tenant) {
  if (!tenant.limits.any()) return create;
  return std::make_unique<TenantQuota>(std::move(create), tenant);
}

}  // namespace vgw
