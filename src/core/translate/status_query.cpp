#include "translate/status_query.hpp"

#include "rules/scope.hpp"
#include "util/json_writer.hpp"

namespace vgw {

namespace {

constexpr const char* kRecordNames[] = {
    "task_id", "kind",     "model", "vendor_model", "seconds",
    "size",    "base_url", "param", "variant",      "carried"};

// One name of a call's scope (see call_scope()).
// The names that are plain strings (record_value() builds the same).
std::optional<std::string_view> record_text(const Vendor& vendor,
                                            const VideoRecord& record,
                                            const std::string& variant,
                                            std::string_view name) {
  if (name == "task_id") return record.task_id;
  if (name == "kind") return record.kind;
  if (name == "model") return record.model;
  if (name == "seconds") return record.seconds;
  if (name == "size") return record.size;
  if (name == "variant") return variant;
  if (name == "base_url") return vendor.base_url();
  if (name == "vendor_model") {
    const ModelRule* m = vendor.find_model(record.model);
    if (m && !m->vendor_model.empty()) return m->vendor_model;
    return record.model;
  }
  return std::nullopt;
}

std::optional<Json> record_value(const Vendor& vendor,
                                 const VideoRecord& record,
                                 const std::string& variant,
                                 std::string_view name) {
  if (auto text = record_text(vendor, record, variant, name)) {
    return Json(std::string(*text));
  }
  if (name == "param") return vendor.params();
  if (name == "carried") {
    Json carried = Json::object();
    for (const auto& [k, v] : record.carried) carried[k] = v;
    return carried;
  }
  return std::nullopt;
}

// call_scope()'s names, each built only when a rule reads it: a status
// query's path reads two or three of them, on every poll.
class RecordScope : public Scope {
 public:
  RecordScope(const Vendor& vendor, const VideoRecord& record,
              const Json* steps)
      : vendor_(vendor), record_(record), steps_(steps) {}

  const Json* lookup(const JsonPath& path) const override {
    const std::string* root = path.root_name();
    if (root == nullptr) return nullptr;
    std::string_view name = *root;
    if (name == "param") return path.find_from(vendor_.params(), 1);
    if (name == "steps") return steps_ ? path.find_from(*steps_, 1) : nullptr;
    return names_.find(path, name, [&](std::string_view n) {
      return record_value(vendor_, record_, kVariant, n);
    });
  }

  std::optional<std::string_view> text(const JsonPath& path) const override {
    const std::string* root = path.root_name();
    if (root == nullptr || path.size() != 1) return std::nullopt;
    return record_text(vendor_, record_, kVariant, *root);
  }

 private:
  inline static const std::string kVariant = "video";
  const Vendor& vendor_;
  const VideoRecord& record_;
  const Json* steps_;
  BuiltNames names_;
};

}  // namespace

Json call_scope(const Vendor& vendor, const VideoRecord& record,
                const std::string& variant) {
  Json s = Json::object();
  for (const char* name : kRecordNames) {
    if (auto v = record_value(vendor, record, variant, name)) s[name] = *v;
  }
  return s;
}

std::optional<UpstreamCall> build_record_call(Vendor& vendor,
                                              const RequestRule& rule,
                                              const VideoRecord& record,
                                              int64_t now, const Json* steps) {
  RecordScope scope(vendor, record, steps);
  return build_vendor_call(vendor, rule, scope, now);
}

std::optional<UpstreamCall> build_vendor_call(Vendor& vendor,
                                              const RequestRule& rule,
                                              const Scope& scope, int64_t now) {
  auto path = rule.path.render_text(scope);
  if (!path) return std::nullopt;
  UpstreamCall call;
  call.method = rule.method;
  call.url = vendor.url_for(*path);
  call.headers.reserve(kTypicalCallHeaders);
  if (rule.body) {
    auto body = rule.body->render(scope);
    if (body) {
      append_json(call.body, *body);
    } else {
      call.body = "{}";
    }
    call.headers.push_back({"Content-Type", "application/json"});
  }
  for (const auto& [name, tmpl] : rule.headers) {
    if (auto v = tmpl.render_text(scope)) call.headers.push_back({name, *v});
  }
  vendor.sign(call, now);
  return call;
}

std::optional<VideoStatus> matched_status(const Vendor& vendor,
                                          const JsonDocument& body) {
  const auto& match = vendor.rules().retrieve.status.match;
  if (match.empty() || !body.is_object()) return std::nullopt;
  DocumentScope scope(body);
  for (const auto& m : match) {
    if (m.when.test(scope)) return m.is;
  }
  return std::nullopt;
}

namespace {

StatusReply read_reply(const Vendor& vendor, CallPhase phase,
                       const UpstreamReply& reply, int64_t now,
                       bool status_query) {
  StatusReply out;
  if (reply.status == 0 || reply.too_large || reply.local_status != 0) {
    out.error = transport_error(vendor, phase, reply);
    return out;
  }
  out.body = JsonDocument(reply.body);
  if (status_query && matched_status(vendor, out.body)) return out;
  if (!vendor_reply_ok(vendor, reply.status, out.body)) {
    out.error = map_vendor_error(vendor, phase, reply.status, out.body,
                                 reply.headers, now);
    return out;
  }
  if (!out.body.is_object()) {
    ApiError e = internal_error("Vendor '" + vendor.name() + "' sent a " +
                                (status_query ? "status reply" : "reply") +
                                " that is not JSON.");
    e.status = 502;
    e.code = "vendor_bad_reply";
    out.error = e;
  }
  return out;
}

}  // namespace

StatusReply read_status_reply(const Vendor& vendor, CallPhase phase,
                              const UpstreamReply& reply, int64_t now) {
  return read_reply(vendor, phase, reply, now, true);
}

StatusReply read_vendor_reply(const Vendor& vendor, CallPhase phase,
                              const UpstreamReply& reply, int64_t now) {
  return read_reply(vendor, phase, reply, now, false);
}

}  // namespace vgw
