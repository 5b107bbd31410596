#include "translate/rule_steps.hpp"

#include "translate/error_mapping.hpp"
#include "translate/status_query.hpp"

namespace vgw {

const Json& RuleSteps::names() const {
  static const Json kNone = Json::object();
  return names_.is_null() ? kNone : names_;
}

std::optional<UpstreamCall> RuleSteps::next_call(Vendor& vendor,
                                                 const Scope& scope,
                                                 int64_t now) {
  auto call = build_vendor_call(vendor, (*steps_)[next_].request, scope, now);
  if (call) awaiting_ = true;
  return call;
}

std::optional<ApiError> RuleSteps::take_reply(const Vendor& vendor,
                                              CallPhase phase,
                                              const UpstreamReply& reply,
                                              int64_t now) {
  awaiting_ = false;
  const StepRule& step = (*steps_)[next_++];
  auto bad_reply = [&](const std::string& what) {
    ApiError e =
        internal_error("Vendor '" + vendor.name() + "' answered step " +
                       std::to_string(next_) + " " + what + ".");
    e.status = 502;
    e.code = "vendor_bad_reply";
    return e;
  };
  bool sent = reply.status != 0 && reply.local_status == 0 &&
              !reply.too_large && !reply.truncated && !reply.unreadable;
  JsonDocument body = sent ? JsonDocument(reply.body) : JsonDocument();
  refused_account_ = !sent ? never_reached(reply)
                           : !vendor_reply_ok(vendor, reply.status, body) &&
                                 refuses_account(vendor, reply.status, body);
  // A step that reads nothing may answer with no body (204).
  if (step.read.empty() && sent && reply.status >= 200 && reply.status < 300 &&
      !body.ok()) {
    last_ = std::move(body);
    return std::nullopt;
  }
  StatusReply read = read_vendor_reply(vendor, phase, reply, now);
  if (read.error) return read.error;
  last_ = std::move(read.body);
  for (const auto& [name, path] : step.read) {
    const Json* value = path.find(last_);
    if (!value || value->is_null() ||
        (value->is_string() && value->get_ref<const std::string&>().empty())) {
      return bad_reply("without its " + name);
    }
    // Names go into later calls' paths and headers: text without spaces or
    // control characters, as vendors write ids and URLs.
    if (value->is_object() || value->is_array()) {
      return bad_reply("with a " + name + " that is not a single value");
    }
    if (value->is_string()) {
      for (unsigned char c : value->get_ref<const std::string&>()) {
        if (c <= 0x20 || c == 0x7f) {
          return bad_reply("with a " + name +
                           " that cannot go into a request unescaped");
        }
      }
    }
    names_[name] = *value;
  }
  return std::nullopt;
}

std::variant<UpstreamCall, ApiError> TaskCall::next(int64_t now) {
  const bool step = steps_.pending();
  const RequestRule& rule = step ? steps_.next() : rule_;
  auto call = build_record_call(vendor_, rule, record_, now, &steps_.names());
  if (!call) {
    return step ? RuleSteps::no_path()
                : internal_error(
                      "The vendor rules produced no path for a "
                      "call about the task.");
  }
  if (step) steps_.sent();
  return std::move(*call);
}

}  // namespace vgw
