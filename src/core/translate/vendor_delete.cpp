#include "translate/vendor_delete.hpp"

#include "translate/error_mapping.hpp"
#include "translate/rule_steps.hpp"
#include "translate/status_query.hpp"
#include "util/json_document.hpp"

namespace vgw {
namespace {

class VendorDelete : public Operation {
 public:
  VendorDelete(Vendor& vendor, VideoRecord record)
      : vendor_(vendor),
        record_(std::move(record)),
        call_(vendor, record_, vendor.rules().deletion->request) {
    facts_.operation = "delete";
    facts_.vendor = vendor.vendor_name();
    facts_.account = vendor.name();
    facts_.model = record_.model;
    facts_.task_id = record_.task_id;
  }

  Step start(int64_t now) override {
    auto next = call_.next(now);
    if (auto* e = std::get_if<ApiError>(&next)) return finish(*e);
    return Step::call_vendor(std::move(std::get<UpstreamCall>(next)));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (call_.answers_step()) {
      // The vendor no longer knows what the step asks about: already gone.
      if (reply.status == 404) return gone();
      if (auto e = call_.take_step(reply, now)) return finish(*e);
      return start(now);
    }
    if (reply.status == 0 || reply.too_large || reply.truncated ||
        reply.unreadable || reply.local_status != 0) {
      return finish(transport_error(vendor_, CallPhase::retrieve, reply));
    }
    JsonDocument body(reply.body);
    if (reply.status == 404 || vendor_reply_ok(vendor_, reply.status, body)) {
      return gone();
    }
    return finish(map_vendor_error(vendor_, CallPhase::retrieve, reply.status,
                                   body, reply.headers, now));
  }

 private:
  Step gone() {
    HttpResponse r;
    r.body = "{}";
    return finish(std::move(r));
  }

  Vendor& vendor_;
  VideoRecord record_;
  TaskCall call_;
};

}  // namespace

std::unique_ptr<Operation> make_vendor_delete_operation(Vendor& vendor,
                                                        VideoRecord record) {
  if (!vendor.rules().deletion) return nullptr;
  return std::make_unique<VendorDelete>(vendor, std::move(record));
}

}  // namespace vgw
