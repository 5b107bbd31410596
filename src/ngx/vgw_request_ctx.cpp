#include "vgw_request_ctx.hpp"

#include "vgw_module.hpp"

namespace vgw::ngx {
namespace {

void destroy_ctx(void* data) noexcept {
  auto* ctx = static_cast<RequestCtx*>(data);
  // The request may end (client gone, worker shutdown) while a lookup or a
  // deadline is pending: neither may call back into freed memory.
  if (ctx->resolving) ngx_resolve_name_done(ctx->resolving);
  if (ctx->deadline.timer_set) ngx_del_timer(&ctx->deadline);
  if (ctx->wait_timer.timer_set) ngx_del_timer(&ctx->wait_timer);
  abandon_exchange(ctx->vendor);
  abandon_exchange(ctx->store_call.exchange);
  ctx->~RequestCtx();
}

}  // namespace

RequestCtx* request_ctx(ngx_http_request_t* r, bool create) {
  auto* ctx =
      static_cast<RequestCtx*>(ngx_http_get_module_ctx(r, ngx_http_vgw_module));
  if (ctx != nullptr) return ctx;
  if (r->internal) {
    for (ngx_pool_cleanup_t* cln = r->pool->cleanup; cln; cln = cln->next) {
      if (cln->handler == destroy_ctx) {
        ctx = static_cast<RequestCtx*>(cln->data);
        ngx_http_set_ctx(r, ctx, ngx_http_vgw_module);
        return ctx;
      }
    }
  }
  if (!create) return nullptr;
  ngx_pool_cleanup_t* cln = ngx_pool_cleanup_add(r->pool, sizeof(RequestCtx));
  if (cln == nullptr) return nullptr;
  ctx = new (cln->data) RequestCtx();
  cln->handler = destroy_ctx;
  ngx_http_set_ctx(r, ctx, ngx_http_vgw_module);
  return ctx;
}

}  // namespace vgw::ngx
