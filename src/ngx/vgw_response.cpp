#include "vgw_response.hpp"

#include "ngx_util.hpp"
#include "vgw_module.hpp"
#include "vgw_request_id.hpp"

namespace vgw::ngx {

bool add_header(ngx_http_request_t* r, std::string_view name,
                std::string_view value) {
  auto* h =
      static_cast<ngx_table_elt_t*>(ngx_list_push(&r->headers_out.headers));
  if (h == nullptr) return false;
  h->hash = 1;
  return pool_copy(r->pool, name, h->key) &&
         pool_copy(r->pool, value, h->value);
}

bool add_request_id(ngx_http_request_t* r) {
  ngx_http_variable_value_t* v = request_id(r);
  if (v == nullptr || v->not_found) return true;
  return add_header(
      r, "x-request-id",
      std::string_view(reinterpret_cast<const char*>(v->data), v->len));
}

ngx_int_t send_response(ngx_http_request_t* r, RequestCtx* ctx,
                        const HttpResponse& response) {
  if (ctx) ctx->own_response = true;
  // The API's replies are not representations a client can hold a
  // validator for: If-None-Match must never turn a create into a 304.
  r->disable_not_modified = 1;
  r->headers_out.status = static_cast<ngx_uint_t>(response.status);
  if (!pool_copy(r->pool, response.media_type(), r->headers_out.content_type)) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  r->headers_out.content_type_len = r->headers_out.content_type.len;
  r->headers_out.content_type_lowcase = nullptr;
  r->headers_out.content_length_n = static_cast<off_t>(response.body.size());
  if (!add_request_id(r)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  for (const auto& h : response.headers) {
    if (!add_header(r, h.name, h.value)) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  ngx_int_t rc = ngx_http_send_header(r);
  if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) return rc;
  ngx_buf_t* b = ngx_create_temp_buf(r->pool, response.body.size());
  if (b == nullptr) return NGX_ERROR;
  b->last = ngx_cpymem(b->pos, response.body.data(), response.body.size());
  b->last_buf = 1;
  b->last_in_chain = 1;
  ngx_chain_t out{b, nullptr};
  return ngx_http_output_filter(r, &out);
}

ngx_int_t send_error(ngx_http_request_t* r, RequestCtx* ctx,
                     const ApiError& e) {
  return guarded(r->connection->log,
                 static_cast<ngx_int_t>(NGX_HTTP_INTERNAL_SERVER_ERROR),
                 [&]() { return send_response(r, ctx, e.to_response()); });
}

ngx_int_t send_internal_error(ngx_http_request_t* r, RequestCtx* ctx,
                              const char* message) noexcept {
  return guarded(r->connection->log,
                 static_cast<ngx_int_t>(NGX_HTTP_INTERNAL_SERVER_ERROR), [&]() {
                   ApiError e = internal_error(message);
                   e.no_retry = ctx && ctx->op &&
                                ctx->op->facts().operation == "create" &&
                                (ctx->reply.request_sent || ctx->reply.status);
                   return send_response(r, ctx, e.to_response());
                 });
}

}  // namespace vgw::ngx
