#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include "ngx_util.hpp"
#include "util/strings.hpp"
#include "vgw_response.hpp"

namespace vgw::ngx {
namespace {

ngx_http_request_body_filter_pt next_request_body_filter;
ngx_http_output_header_filter_pt next_header_filter;
ngx_http_output_body_filter_pt next_body_filter;

// Copies the client body as it arrives, before nginx may spill it to a
// temporary file, so the handler never reads a file (a blocking disk read)
// on the request path.
ngx_int_t capture_request_body(ngx_http_request_t* r,
                               ngx_chain_t* in) noexcept {
  auto* ctx =
      static_cast<RequestCtx*>(ngx_http_get_module_ctx(r, ngx_http_vgw_module));
  if (ctx != nullptr && ctx->capturing) {
    bool ok = guarded(r->connection->log, false, [&]() {
      for (ngx_chain_t* cl = in; cl; cl = cl->next) {
        ngx_buf_t* b = cl->buf;
        if (b->in_file || ngx_buf_special(b)) continue;
        ctx->body.append(reinterpret_cast<const char*>(b->pos),
                         static_cast<size_t>(b->last - b->pos));
      }
      return true;
    });
    if (!ok) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  return next_request_body_filter(r, in);
}

bool generic_media_type(const ngx_str_t& type) {
  std::string_view t = view(type);
  t = t.substr(0, t.find(';'));
  return t.empty() || iequals(t, "application/octet-stream") ||
         iequals(t, "binary/octet-stream");
}

bool replace_with_error(ngx_http_request_t* r, RequestCtx* ctx,
                        const ApiError& e) {
  HttpResponse resp = e.to_response();
  if (!pool_copy(r->pool, resp.body, ctx->replacement)) return false;
  r->headers_out.status = static_cast<ngx_uint_t>(resp.status);
  r->headers_out.status_line.len = 0;
  ngx_str_set(&r->headers_out.content_type, "application/json");
  r->headers_out.content_type_len = r->headers_out.content_type.len;
  r->headers_out.content_type_lowcase = nullptr;
  r->headers_out.charset.len = 0;
  ngx_http_clear_content_length(r);
  r->headers_out.content_length_n = static_cast<off_t>(resp.body.size());
  if (r->headers_out.content_encoding) {
    r->headers_out.content_encoding->hash = 0;
    r->headers_out.content_encoding = nullptr;
  }
  if (r->headers_out.content_range) {
    r->headers_out.content_range->hash = 0;
    r->headers_out.content_range = nullptr;
  }
  ngx_http_clear_accept_ranges(r);
  ngx_http_clear_last_modified(r);
  ngx_http_clear_etag(r);
  r->allow_ranges = 0;
  for (const auto& h : resp.headers) {
    if (!add_header(r, h.name, h.value)) return false;
  }
  return true;
}

// Keeps every response of the API OpenAI-shaped: errors nginx generates
// itself (413 body too large, 408, 500...) and failures of the result
// download become JSON envelopes, and downloads get the right Content-Type
// when the vendor's file server sends a generic one.
ngx_int_t header_filter(ngx_http_request_t* r) noexcept {
  if (r != r->main) return next_header_filter(r);
  LocConf* lcf = loc_conf(r);
  RequestCtx* ctx = request_ctx(r, false);
  bool streaming = ctx != nullptr && ctx->streaming;
  if (!(lcf->api == 1 || streaming) || (ctx && ctx->own_response)) {
    return next_header_filter(r);
  }
  ngx_uint_t status = r->headers_out.status;
  bool ok = guarded(r->connection->log, false, [&]() {
    if (status < 400) {
      if (streaming && generic_media_type(r->headers_out.content_type)) {
        if (!pool_copy(r->pool, ctx->media.content_type,
                       r->headers_out.content_type)) {
          return false;
        }
        r->headers_out.content_type_len = r->headers_out.content_type.len;
        r->headers_out.content_type_lowcase = nullptr;
      }
      return !streaming || add_request_id(r);
    }
    if (ctx == nullptr) ctx = request_ctx(r, true);
    if (ctx == nullptr) return false;
    int code = static_cast<int>(status);
    ApiError e = streaming ? download_error(code) : error_for_status(code);
    if (streaming) {
      ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                    "vgw: result download failed with HTTP %ui", status);
    }
    return replace_with_error(r, ctx, e) && add_request_id(r);
  });
  if (!ok) return NGX_ERROR;
  return next_header_filter(r);
}

ngx_int_t body_filter(ngx_http_request_t* r, ngx_chain_t* in) noexcept {
  if (r != r->main || r->header_only) return next_body_filter(r, in);
  auto* ctx =
      static_cast<RequestCtx*>(ngx_http_get_module_ctx(r, ngx_http_vgw_module));
  if (ctx == nullptr || ctx->replacement.len == 0)
    return next_body_filter(r, in);
  for (ngx_chain_t* cl = in; cl; cl = cl->next) {
    cl->buf->pos = cl->buf->last;
    cl->buf->file_pos = cl->buf->file_last;
  }
  if (ctx->replacement_sent) return NGX_OK;
  ctx->replacement_sent = true;
  auto* b = static_cast<ngx_buf_t*>(ngx_calloc_buf(r->pool));
  if (b == nullptr) return NGX_ERROR;
  b->pos = ctx->replacement.data;
  b->last = b->pos + ctx->replacement.len;
  b->memory = 1;
  b->last_buf = 1;
  b->last_in_chain = 1;
  ngx_chain_t out{b, nullptr};
  return next_body_filter(r, &out);
}

}  // namespace

ngx_int_t install_filters(ngx_conf_t*) {
  next_request_body_filter = ngx_http_top_request_body_filter;
  ngx_http_top_request_body_filter = capture_request_body;
  next_header_filter = ngx_http_top_header_filter;
  ngx_http_top_header_filter = header_filter;
  next_body_filter = ngx_http_top_body_filter;
  ngx_http_top_body_filter = body_filter;
  return NGX_OK;
}

}  // namespace vgw::ngx
