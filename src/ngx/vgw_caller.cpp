#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include "ngx_util.hpp"

namespace vgw::ngx {

// Nginx's rewrite and preaccess phases may ask before the content handler
// does ($vgw_tenant in limit_req_zone), so this runs wherever the question
// is first asked, on the main request.
const Caller* request_caller(ngx_http_request_t* r) {
  r = r->main;
  const TenantDirectory* keys = main_conf(r)->gateway->tenants();
  LocConf* lcf = loc_conf(r);
  if (keys == nullptr && lcf->tenant == nullptr) return nullptr;
  RequestCtx* ctx = request_ctx(r, true);
  if (ctx == nullptr) return nullptr;
  if (lcf->tenant == nullptr) {
    if (!ctx->caller) {
      std::string_view authorization;
      if (r->headers_in.authorization) {
        authorization = view(r->headers_in.authorization->value);
      }
      ctx->caller = identify_caller(keys, nullptr, authorization);
    }
    return &*ctx->caller;
  }
  // auth_request (access phase) may set what the name is read from after
  // an earlier phase asked: read it again each time.
  ngx_str_t name;
  if (ngx_http_complex_value(r, lcf->tenant, &name) != NGX_OK) return nullptr;
  std::string_view external = view(name);
  ctx->caller = identify_caller(keys, &external, {});
  return &*ctx->caller;
}

}  // namespace vgw::ngx
