#include "translate/create_outcome.hpp"

#include "translate/error_mapping.hpp"
#include "translate/vendor_data.hpp"
#include "util/json_document.hpp"

namespace vgw {

bool create_made_no_task(const HttpResponse& r) {
  if (r.status < 400) return false;
  if (r.status < 500) return true;
  auto retry = find_header(r.headers, "x-should-retry");
  return !retry || *retry != "false";
}

std::optional<ApiError> missing_credential(const Vendor& vendor) {
  if (vendor.missing_credentials().empty()) return std::nullopt;
  ApiError e = internal_error("Vendor '" + vendor.name() +
                              "' is not configured: missing credential '" +
                              vendor.missing_credentials().front() + "'.");
  e.status = 503;
  e.code = "vendor_not_configured";
  e.no_retry = true;
  return e;
}

CreatedId read_created_id(const Vendor& vendor, const UpstreamReply& reply,
                          const JsonPath& id_path, bool id_is_path,
                          const char* made, int64_t now) {
  CreatedId out;
  auto may_exist = [&](const std::string& what) {
    ApiError e =
        internal_error("Vendor '" + vendor.name() +
                       "' accepted the request but " + what + ". The " + made +
                       " may have been created; retrying could create a "
                       "duplicate.");
    e.status = 502;
    e.code = "vendor_bad_reply";
    e.no_retry = true;
    return e;
  };
  if (reply.status == 0 || reply.too_large || reply.truncated ||
      reply.unreadable || reply.local_status != 0) {
    out.try_next_account = never_reached(reply);
    out.error = transport_error(vendor, CallPhase::create, reply);
    return out;
  }
  JsonDocument body(reply.body);
  bool success = reply.status >= 200 && reply.status <= 299;
  if (success && !body.is_object()) {
    out.error = may_exist("its reply could not be read");
    return out;
  }
  if (!vendor_reply_ok(vendor, reply.status, body)) {
    out.try_next_account = refuses_account(vendor, reply.status, body);
    out.error = map_vendor_error(vendor, CallPhase::create, reply.status, body,
                                 reply.headers, now);
    return out;
  }
  // A video's id at the vendor is its task's.
  const std::string id_name =
      std::string_view(made) == "video" ? "task id" : "id";
  out.id = id_path.find_text(body).value_or("");
  if (out.id.empty()) {
    out.error = may_exist("its reply had no " + id_name);
  } else if (auto problem = task_id_problem(out.id, id_is_path)) {
    out.unusable_id = std::move(out.id);
    out.id.clear();
    out.error = may_exist("its " + id_name + " is unusable: " + *problem);
  }
  return out;
}

}  // namespace vgw
