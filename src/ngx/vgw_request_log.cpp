#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"
#include "vgw_request_id.hpp"

#include "ngx_util.hpp"

// Every error-log line about an API request ends with the x-request-id the
// client was (or will be) given, including nginx's own lines ("upstream
// timed out", "client intended to send too large body"), so an operator can
// go from a client's error report to the log. nginx builds the context of a
// line ("client: …, request: …") with the connection log's handler; the
// module wraps that handler and appends the id for requests of a vgw_api
// location and their subrequests.

namespace vgw::ngx {
namespace {

ngx_log_handler_pt http_log_handler = nullptr;

bool belongs_to_api(ngx_http_request_t* main) {
  LocConf* lcf = loc_conf(main);
  return (lcf != nullptr && lcf->api == 1) ||
         request_ctx(main, false) != nullptr;
}

u_char* with_request_id(ngx_log_t* log, u_char* buf, size_t len) noexcept {
  u_char* p = http_log_handler(log, buf, len);
  // Computing $request_id may log (allocation failure): not again.
  static bool inside = false;
  auto* lctx = static_cast<ngx_http_log_ctx_t*>(log->data);
  // Once a request is freed nginx clears `request` but not
  // `current_request`: only a live request is looked at (as
  // ngx_http_log_error does).
  if (lctx == nullptr || lctx->request == nullptr || inside || p >= buf + len) {
    return p;
  }
  ngx_http_request_t* r =
      lctx->current_request ? lctx->current_request : lctx->request;
  inside = true;
  ngx_http_request_t* main = r->main;
  if (belongs_to_api(main)) {
    ngx_http_variable_value_t* v = request_id(main);
    if (v != nullptr && !v->not_found) {
      p = ngx_snprintf(p, static_cast<size_t>(buf + len - p),
                       ", request_id: \"%*s\"", static_cast<size_t>(v->len),
                       v->data);
    }
  }
  inside = false;
  return p;
}

// POST_READ runs before location matching and before nginx can refuse a
// body as too large; the handler decides per line whether the request is
// the API's.
ngx_int_t tag_request_log(ngx_http_request_t* r) noexcept {
  ngx_log_t* log = r->connection->log;
  if (http_log_handler == nullptr) http_log_handler = log->handler;
  if (log->handler == http_log_handler) log->handler = with_request_id;
  return NGX_DECLINED;
}

}  // namespace

ngx_int_t install_request_log(ngx_conf_t* cf) {
  auto* cmcf = static_cast<ngx_http_core_main_conf_t*>(
      ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module));
  auto* h = static_cast<ngx_http_handler_pt*>(
      ngx_array_push(&cmcf->phases[NGX_HTTP_POST_READ_PHASE].handlers));
  if (h == nullptr) return NGX_ERROR;
  *h = tag_request_log;
  return NGX_OK;
}

}  // namespace vgw::ngx
