#include "translate/status_query.hpp"

#include "rules/scope.hpp"

namespace vgw {

Json call_scope(const Vendor& vendor, const VideoRecord& record,
                const std::string& variant) {
  Json s = Json::object();
  s["task_id"] = record.task_id;
  s["kind"] = record.kind;
  s["model"] = record.model;
  const ModelRule* m = vendor.find_model(record.model);
  s["vendor_model"] =
      m && !m->vendor_model.empty() ? m->vendor_model : record.model;
  s["seconds"] = record.seconds;
  s["size"] = record.size;
  s["base_url"] = vendor.base_url();
  s["param"] = vendor.params();
  s["variant"] = variant;
  Json carried = Json::object();
  for (const auto& [k, v] : record.carried) carried[k] = v;
  s["carried"] = std::move(carried);
  return s;
}

std::optional<UpstreamCall> build_status_call(Vendor& vendor,
                                              const VideoRecord& record,
                                              int64_t now) {
  Json root = call_scope(vendor, record, "video");
  JsonScope scope(root);
  return build_vendor_call(vendor, vendor.rules().retrieve.request, scope, now);
}

std::optional<UpstreamCall> build_vendor_call(Vendor& vendor,
                                              const RequestRule& rule,
                                              const Scope& scope, int64_t now) {
  auto path = rule.path.render_text(scope);
  if (!path) return std::nullopt;
  UpstreamCall call;
  call.method = rule.method;
  call.url = vendor.url_for(*path);
  if (rule.body) {
    auto body = rule.body->render(scope);
    call.body = body ? body->dump() : "{}";
    call.headers.push_back({"Content-Type", "application/json"});
  }
  for (const auto& [name, tmpl] : rule.headers) {
    if (auto v = tmpl.render_text(scope)) call.headers.push_back({name, *v});
  }
  vendor.sign(call, now);
  return call;
}

bool task_failed(const Vendor& vendor, const Json& body) {
  const Expression& failed = vendor.rules().retrieve.status.failed_when;
  if (failed.empty() || !body.is_object()) return false;
  JsonScope scope(body);
  return failed.test(scope);
}

StatusReply read_status_reply(const Vendor& vendor, CallPhase phase,
                              const UpstreamReply& reply, int64_t now) {
  StatusReply out;
  if (reply.status == 0 || reply.too_large || reply.local_status != 0) {
    out.error = transport_error(vendor, phase, reply);
    return out;
  }
  out.body = Json::parse(reply.body, nullptr, false);
  if (out.body.is_discarded()) out.body = Json();
  if (task_failed(vendor, out.body)) return out;
  if (!vendor_reply_ok(vendor, reply.status, out.body)) {
    out.error = map_vendor_error(vendor, phase, reply.status, out.body,
                                 reply.headers, now);
    return out;
  }
  if (!out.body.is_object()) {
    ApiError e = internal_error("Vendor '" + vendor.name() +
                                "' sent a status reply that is not JSON.");
    e.status = 502;
    e.code = "vendor_bad_reply";
    out.error = e;
  }
  return out;
}

}  // namespace vgw
