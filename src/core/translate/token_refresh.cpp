#include "translate/token_refresh.hpp"

#include "translate/error_mapping.hpp"

namespace vgw {
namespace {

class TokenRefreshOperation : public Operation {
 public:
  TokenRefreshOperation(Vendor& vendor, std::unique_ptr<Operation> inner)
      : vendor_(vendor), inner_(std::move(inner)) {
    facts_ = inner_->facts();
  }

  Step start(int64_t now) override {
    auto call = vendor_.token_call(now);
    if (!call) return forward(inner_->start(now));
    exchanging_ = true;
    return Step::call_vendor(std::move(*call));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (!exchanging_) return forward(inner_->on_reply(reply, now));
    exchanging_ = false;
    if (!vendor_.accept_token(reply, now)) {
      ApiError e = internal_error(
          "The gateway could not obtain an access token for vendor '" +
          vendor_.name() + "'.");
      e.status = reply.timed_out ? 504 : 502;
      e.type = "api_error";
      e.code = "vendor_auth_failed";
      return finish(e);
    }
    return forward(inner_->start(now));
  }

  std::optional<std::string> redirect_target(
      std::string_view location) const override {
    return inner_->redirect_target(location);
  }

 private:
  Step forward(Step step) {
    facts_ = inner_->facts();
    return step;
  }

  Vendor& vendor_;
  std::unique_ptr<Operation> inner_;
  bool exchanging_ = false;
};

}  // namespace

std::unique_ptr<Operation> with_fresh_token(Vendor& vendor,
                                            std::unique_ptr<Operation> inner) {
  if (!vendor.exchanges_tokens()) return inner;
  return std::make_unique<TokenRefreshOperation>(vendor, std::move(inner));
}

}  // namespace vgw
