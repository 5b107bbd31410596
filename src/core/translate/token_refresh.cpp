#include "translate/token_refresh.hpp"

#include "translate/error_mapping.hpp"

namespace vgw {
namespace {

class TokenRefreshOperation : public OperationDecorator {
 public:
  TokenRefreshOperation(Vendor& vendor, std::unique_ptr<Operation> inner)
      : OperationDecorator(std::move(inner)), vendor_(vendor) {}

  Step start(int64_t now) override {
    auto call = vendor_.token_call(now);
    if (!call) return pass(inner_->start(now));
    exchanging_ = true;
    return Step::call_vendor(std::move(*call));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (!exchanging_) return pass(inner_->on_reply(reply, now));
    exchanging_ = false;
    if (!vendor_.accept_token(reply, now)) {
      ApiError e = internal_error(
          "The gateway could not obtain an access token for vendor '" +
          vendor_.name() + "'.");
      e.status = reply.timed_out ? 504 : 502;
      e.type = "api_error";
      e.code = "vendor_auth_failed";
      return answer(e);
    }
    return pass(inner_->start(now));
  }

 private:
  Vendor& vendor_;
  bool exchanging_ = false;
};

}  // namespace

std::unique_ptr<Operation> with_fresh_token(Vendor& vendor,
                                            std::unique_ptr<Operation> inner) {
  if (!vendor.exchanges_tokens()) return inner;
  return std::make_unique<TokenRefreshOperation>(vendor, std::move(inner));
}

}  // namespace vgw
