#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "api/api_error.hpp"
#include "ids/video_id.hpp"
#include "rules/scope.hpp"
#include "rules/vendor_rules.hpp"
#include "translate/error_mapping.hpp"
#include "translate/vendor.hpp"

namespace vgw {

// The calls a request's `steps` make before it, one at a time: each is
// rendered in the operation's scope (which shows names() as `steps`), its
// reply judged by the vendor's `errors` rules and the names it reads kept
// for the calls after it. Operations hold one and ask it first.
class RuleSteps {
 public:
  explicit RuleSteps(const std::vector<StepRule>& steps) : steps_(&steps) {}

  // What an operation answers when a step's rule renders no path.
  static ApiError no_path() {
    return internal_error("The vendor rules produced no path for a step.");
  }

  // A step is still to be made (before the operation's own call).
  bool pending() const { return next_ < steps_->size(); }
  // A step's call is out: its reply goes to take_reply().
  bool awaiting() const { return awaiting_; }

  // The next step's signed call; an error when its rule renders no path.
  std::optional<UpstreamCall> next_call(Vendor& vendor, const Scope& scope,
                                        int64_t now);
  // Or the next step's request, for a caller that builds its call itself
  // (sent() once it has: TaskCall).
  const RequestRule& next() const { return (*steps_)[next_].request; }
  void sent() { awaiting_ = true; }
  // Reads the reply to the call out; an error ends the operation.
  std::optional<ApiError> take_reply(const Vendor& vendor, CallPhase phase,
                                     const UpstreamReply& reply, int64_t now);

  // The last step's reply refused the account (credentials, quota, a rate
  // limit) or never reached the vendor: another account may take the call.
  bool refused_account() const { return refused_account_; }
  // What the steps so far read, by name.
  const Json& names() const;
  // The last step's reply, parsed (a view of `reply.body` passed to
  // take_reply(), valid while that lives).
  const JsonDocument& last_reply() const { return last_; }

 private:
  const std::vector<StepRule>* steps_;
  size_t next_ = 0;
  bool awaiting_ = false;
  bool refused_account_ = false;
  // Null until a step reads a name: most operations have no steps, and an
  // empty object would cost an allocation on every create.
  Json names_;
  JsonDocument last_;
};

// A call about a task: its rule's steps, then its request, all with the
// sealed record's names. The status query (retrieve, content, extensions
// and edits reading their source, callbacks) and a deletion are made
// through one.
class TaskCall {
 public:
  TaskCall(Vendor& vendor, const VideoRecord& record, const RequestRule& rule)
      : vendor_(vendor), record_(record), rule_(rule), steps_(rule.steps) {}

  // The next call: a step's, then the rule's own; an error when a rule
  // renders no path.
  std::variant<UpstreamCall, ApiError> next(int64_t now);
  // The reply is to a step: take it with take_step(), then call next().
  bool answers_step() const { return steps_.awaiting(); }
  std::optional<ApiError> take_step(const UpstreamReply& reply, int64_t now) {
    return steps_.take_reply(vendor_, CallPhase::retrieve, reply, now);
  }

 private:
  Vendor& vendor_;
  const VideoRecord& record_;
  const RequestRule& rule_;
  RuleSteps steps_;
};

// A task's status query: the retrieve section's steps and request.
class StatusQuery : public TaskCall {
 public:
  StatusQuery(Vendor& vendor, const VideoRecord& record)
      : TaskCall(vendor, record, vendor.rules().retrieve.request) {}
};

}  // namespace vgw
