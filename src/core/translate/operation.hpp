#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_error.hpp"
#include "http_types.hpp"
#include "store/store_command.hpp"

namespace vgw {

// What the nginx layer must do next for a client request.
struct Step {
  enum class Kind { call_vendor, respond, stream_media, resolve, store, wait };
  Kind kind = Kind::respond;
  UpstreamCall call;
  HttpResponse response;
  MediaFetch media;
  std::string resolve_name;  // Kind::resolve: a DNS name
  StoreCommand store;        // Kind::store
  int64_t wait_ms = 0;       // Kind::wait

  static Step respond(HttpResponse r);
  static Step fail(const ApiError& e) { return respond(e.to_response()); }
  static Step call_vendor(UpstreamCall c);
  static Step stream(MediaFetch m);
  // Look a client-supplied host name up with nginx's resolver before a call
  // to it (see net/client_target.hpp).
  static Step resolve(std::string name);
  // Read or write the shared store; the answer comes to on_store().
  static Step query_store(StoreCommand command);
  // Come back (on_timer) after this long, holding no connection.
  static Step wait(int64_t ms);
};

// What nginx's resolver answered: addresses as text, or why not.
struct ResolvedHost {
  std::vector<std::string> addresses;
  std::string error;
};

// Per-request facts exposed to nginx as $vgw_* variables for logs and limits.
struct RequestFacts {
  std::string operation;  // create, retrieve, list, delete, remix, ... (README)
  std::string vendor;     // the vendor's rules' name
  std::string account;    // the account of a pool (the vendor's by default)
  std::string model;
  std::string task_id;
  std::string video_id;
  std::string outcome;  // ok, or the error code sent to the client
  std::string seconds;  // the video's length, once the vendor's is known
  std::string size;
  std::string status;  // the Video's status in the answer (create, retrieve)
  int64_t created_at = 0;
  int64_t completed_at = 0;
  // A usage record is due (usage_record.hpp): "created", "completed" or
  // "failed"; empty: none. The record itself is written only when a log
  // asks for it ($vgw_usage).
  std::string usage_event;
  std::string tenant;
  // This poll is the first to see the task end (its usage claim won).
  bool first_to_see_end = false;
  // A create this account refused before any task existed (credentials,
  // quota, rate limit, its breaker or task cap, never reached): another
  // account of the pool may take it.
  bool try_next_account = false;
  bool account_full = false;  // ... because the account ran its max_tasks
};

// One client request as a small state machine: start() and then one
// on_reply() per vendor call until it responds or streams. Pure: no I/O.
class Operation {
 public:
  virtual ~Operation() = default;
  virtual Step start(int64_t now) = 0;
  virtual Step on_reply(const UpstreamReply& reply, int64_t now) = 0;
  // After a Step::resolve.
  virtual Step on_resolved(const ResolvedHost& host, int64_t now);
  // After a Step::query_store.
  virtual Step on_store(const StoreReply& reply, int64_t now);
  // After a Step::wait.
  virtual Step on_timer(int64_t now);
  virtual const RequestFacts& facts() const { return facts_; }
  // The facts of whichever operation answers, for a decorator to amend.
  virtual RequestFacts& facts_to_amend() { return facts_; }
  // A result download answered with a redirect (Gemini's file URLs do):
  // the absolute URL to follow, or nullopt when the vendor's rules do not
  // allow its host. Only meaningful after a stream_media step.
  virtual std::optional<std::string> redirect_target(
      std::string_view location) const {
    return std::nullopt;
  }

 protected:
  Step finish(const ApiError& e);
  Step finish(HttpResponse r);
  RequestFacts facts_;
};

// An operation wrapped around another (token refresh, a dialect): every
// callback goes to the inner one and each step it returns passes through
// forward(), which wrappers override to act on it.
class OperationDecorator : public Operation {
 public:
  explicit OperationDecorator(std::unique_ptr<Operation> inner);
  // Steps are large: each is adjusted where it is, not passed on by value.
  Step start(int64_t now) override {
    Step step = inner_->start(now);
    forward(step);
    return step;
  }
  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    Step step = inner_->on_reply(reply, now);
    forward(step);
    return step;
  }
  Step on_resolved(const ResolvedHost& host, int64_t now) override {
    Step step = inner_->on_resolved(host, now);
    forward(step);
    return step;
  }
  Step on_store(const StoreReply& reply, int64_t now) override {
    Step step = inner_->on_store(reply, now);
    forward(step);
    return step;
  }
  Step on_timer(int64_t now) override {
    Step step = inner_->on_timer(now);
    forward(step);
    return step;
  }
  std::optional<std::string> redirect_target(
      std::string_view location) const override {
    return inner_->redirect_target(location);
  }
  // The inner operation's, read where they are (not copied on every
  // step), until the decorator answers in its own name (answer()).
  const RequestFacts& facts() const override {
    return answered_ ? facts_ : inner_->facts();
  }
  RequestFacts& facts_to_amend() override {
    return answered_ ? facts_ : inner_->facts_to_amend();
  }

 protected:
  // Acts on each step of the inner operation before it goes out.
  virtual void forward(Step&) {}
  Step pass(Step step) {
    forward(step);
    return step;
  }
  // The decorator answers instead of its inner operation (a refusal, a
  // replay): from here on the facts are its own, the inner ones amended.
  Step answer(const ApiError& e);
  Step answer(HttpResponse r, std::string outcome);
  std::unique_ptr<Operation> inner_;

 private:
  bool answered_ = false;
};

}  // namespace vgw
