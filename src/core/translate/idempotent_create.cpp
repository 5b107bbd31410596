#include "translate/idempotent_create.hpp"

#include "crypto/crypto.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr char kPending = 'P', kDone = 'D';
constexpr size_t kFingerprintSize = 32;
// A claim outlives any create (vendor calls time out in seconds); one left
// by a worker that died mid-create frees the key after this.
constexpr int64_t kClaimTtlSeconds = 600;

ApiError store_unavailable() {
  return vgw::store_unavailable("an Idempotency-Key cannot be honoured");
}

// A create the SDKs retry, and that made no task: the key is given back.
bool retry_may_succeed(const HttpResponse& r) {
  if (r.status != 429 && r.status < 500) return false;
  auto retry = find_header(r.headers, "x-should-retry");
  return !retry || *retry != "false";
}

// "D" fingerprint status "\n" (name ":" value "\n")* "\n" body
std::string record(std::string_view fingerprint, const HttpResponse& r) {
  std::string out(1, kDone);
  out.append(fingerprint).append(std::to_string(r.status)).push_back('\n');
  for (const auto& h : r.headers) {
    out.append(h.name).append(":").append(h.value).push_back('\n');
  }
  out.push_back('\n');
  out.append(r.body);
  return out;
}

std::optional<HttpResponse> replay(std::string_view text) {
  HttpResponse r;
  auto line = [&]() -> std::optional<std::string_view> {
    auto end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view l = text.substr(0, end);
    text.remove_prefix(end + 1);
    return l;
  };
  auto status = line();
  auto code = status ? parse_uint(*status) : std::nullopt;
  if (!code || *code < 100 || *code > 599) return std::nullopt;
  r.status = static_cast<int>(*code);
  for (;;) {
    auto header = line();
    if (!header) return std::nullopt;
    if (header->empty()) break;
    auto colon = header->find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    r.headers.push_back({std::string(header->substr(0, colon)),
                         std::string(header->substr(colon + 1))});
  }
  r.body = std::string(text);
  return r;
}

class IdempotentCreate : public OperationDecorator {
 public:
  IdempotentCreate(std::unique_ptr<Operation> create, std::string key,
                   std::string fingerprint)
      : OperationDecorator(std::move(create)),
        key_(std::move(key)),
        fingerprint_(std::move(fingerprint)) {}

  Step start(int64_t) override { return claim(); }

  Step on_store(const StoreReply& reply, int64_t now) override {
    switch (phase_) {
      case Phase::claiming:
        if (!reply.ok) return answer(store_unavailable());
        if (reply.done) {
          phase_ = Phase::creating;
          return pass(inner_->start(now));
        }
        phase_ = Phase::reading;
        return Step::query_store({StoreCommand::Op::get, key_, {}, 0, false});
      case Phase::reading:
        if (!reply.ok) return answer(store_unavailable());
        // Given back or expired since the claim failed: claim it again.
        if (!reply.value) return ++claims_ < 3 ? claim() : in_use();
        return answer_from(*reply.value);
      case Phase::recording:
        // The create has happened whatever the store says: it is answered.
        phase_ = Phase::answered;
        return Step::respond(std::move(held_));
      case Phase::creating:
        return pass(inner_->on_store(reply, now));
      case Phase::answered:
        break;
    }
    return answer(internal_error("Unexpected store reply."));
  }

 protected:
  void forward(Step& step) override {
    if (phase_ != Phase::creating || step.kind != Step::Kind::respond) return;
    phase_ = Phase::recording;
    held_ = std::move(step.response);
    if (retry_may_succeed(held_)) {
      step = Step::query_store({StoreCommand::Op::del, key_, {}, 0, false});
    } else {
      step = Step::query_store({StoreCommand::Op::set, key_,
                                record(fingerprint_, held_),
                                kIdempotencyTtlSeconds, false});
    }
  }

 private:
  enum class Phase { claiming, reading, creating, recording, answered };

  Step claim() {
    phase_ = Phase::claiming;
    return Step::query_store({StoreCommand::Op::set, key_,
                              std::string(1, kPending) + fingerprint_,
                              kClaimTtlSeconds, true});
  }

  Step in_use() {
    ApiError e = invalid_request(
        "Another request with this Idempotency-Key is still being handled; "
        "retry shortly to get its result.",
        std::string("Idempotency-Key"), "idempotency_key_in_use");
    e.status = 409;
    e.retry_after_seconds = 1;
    return answer(e);
  }

  Step answer_from(const std::string& value) {
    std::string_view v = value;
    if (v.size() < 1 + kFingerprintSize) return answer(store_unavailable());
    if (v.substr(1, kFingerprintSize) != fingerprint_) {
      ApiError e = invalid_request(
          "This Idempotency-Key was already used with a different request; "
          "use a new key for a new video.",
          std::string("Idempotency-Key"), "idempotency_key_reused");
      e.status = 422;
      return answer(e);
    }
    if (v[0] == kPending) return in_use();
    auto r = replay(v.substr(1 + kFingerprintSize));
    if (v[0] != kDone || !r) return answer(store_unavailable());
    phase_ = Phase::answered;
    return answer(std::move(*r), "replayed");
  }

  std::string key_;
  std::string fingerprint_;
  Phase phase_ = Phase::claiming;
  int claims_ = 0;
  HttpResponse held_;
};

}  // namespace

std::string create_fingerprint(const ClientVideoRequest& r) {
  // Each field length-prefixed: no two different creates write the same
  // bytes here.
  std::string text;
  auto field = [&](std::string_view value) {
    text.append(std::to_string(value.size())).push_back(':');
    text.append(value);
  };
  field(r.model);
  field(r.prompt);
  field(r.seconds.value_or("-"));
  field(r.size.value_or("-"));
  std::string json;
  append_json(json, r.metadata);
  field(json);
  json.clear();
  append_json(json, r.extra);
  field(json);
  json.clear();
  append_json(json, r.echo);
  field(json);
  field(r.callback_url.value_or("-"));
  for (const auto& img : r.images) {
    field(img.param);
    field(img.mime);
    field(crypto::sha256(r.large.resolve(img.data)));
  }
  return crypto::sha256(text);
}

std::string idempotency_store_key(std::string_view binding,
                                  std::string_view idempotency_key) {
  return "idem:" + crypto::to_hex(crypto::sha256(
                       {binding, std::string_view("\0", 1), idempotency_key}));
}

std::unique_ptr<Operation> make_idempotent_create(
    std::unique_ptr<Operation> create, std::string store_key,
    std::string fingerprint) {
  return std::make_unique<IdempotentCreate>(
      std::move(create), std::move(store_key), std::move(fingerprint));
}

}  // namespace vgw
