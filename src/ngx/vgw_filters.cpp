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
        if (b->in_file || ngx_buf_special(b) || ctx->body_overflow) continue;
        std::string_view bytes(reinterpret_cast<const char*>(b->pos),
                               static_cast<size_t>(b->last - b->pos));
        if (ctx->body.size() + bytes.size() > ctx->body_limit) {
          // nginx reads on (into its temp file, or to its 413); nothing
          // more is held.
          ctx->body_overflow = true;
          ctx->body = ByteBuffer();
          continue;
        }
        ctx->body.append(bytes);
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

// Headers of a vendor's or CDN's download reply that a client may see; the
// rest (their organisation and project ids, rate limits, WWW-Authenticate,
// Location, cookies, tracing) stays between the gateway and the vendor.
// Content-Encoding must pass with the body it describes.
bool passes_to_client(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {
      "content-type", "content-length", "content-range", "accept-ranges",
      "etag",         "last-modified",  "cache-control", "content-encoding"};
  for (auto allowed : kAllowed) {
    if (iequals(name, allowed)) return true;
  }
  return false;
}

// Drops every header the upstream put in the reply that is not allowed
// through (all of them when `keep_allowed` is false: an error envelope).
void filter_upstream_headers(ngx_http_request_t* r, bool keep_allowed) {
  for_each_header(r->headers_out.headers, [&](ngx_table_elt_t& h) {
    if (!keep_allowed || !passes_to_client(view(h.key))) h.hash = 0;
  });
  // nginx rewrites a relative Location from this field, not the list.
  r->headers_out.location = nullptr;
  r->headers_out.refresh = nullptr;
  r->headers_out.expires = nullptr;
  r->headers_out.www_authenticate = nullptr;
  r->headers_out.server = nullptr;
  if (!keep_allowed) r->headers_out.content_encoding = nullptr;
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
  filter_upstream_headers(r, false);
  r->headers_out.content_range = nullptr;
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
      if (streaming) filter_upstream_headers(r, true);
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

// Collects the body of a vendor call (an in-memory subrequest) in place of
// nginx's in-memory postpone filter, which answers a reply over its buffer
// with NGX_ERROR: ngx_http_output_filter then marks the shared client
// connection as failed and the client's request is dropped without an
// answer, which SDKs retry, paying for a second task. Here a reply over the
// limit is discarded, the upstream is told to stop, and the core answers
// with an error envelope. Memory is the reply's size, not the whole buffer
// nginx would reserve for a reply without Content-Length.
ngx_int_t collect_call_reply(ngx_http_request_t* sr, RequestCtx* ctx,
                             ngx_chain_t* in) {
  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_get_module_loc_conf(sr, ngx_http_core_module));
  size_t limit = clcf->subrequest_output_buffer_size;
  off_t announced = sr->headers_out.content_length_n;
  auto overflow = [&]() {
    if (!ctx->reply_overflow) {
      ngx_log_error(NGX_LOG_ERR, sr->connection->log, 0,
                    "vgw: vendor reply is larger than "
                    "subrequest_output_buffer_size (%uz)",
                    limit);
    }
    ctx->reply_overflow = true;
    std::string().swap(ctx->reply_bytes);
    if (sr->upstream && sr->upstream->pipe) {
      sr->upstream->pipe->downstream_error = 1;
    }
  };
  if (ctx->reply_bytes.empty() && !ctx->reply_overflow && announced > 0) {
    if (static_cast<size_t>(announced) > limit) {
      overflow();
    } else {
      ctx->reply_bytes.reserve(static_cast<size_t>(announced));
    }
  }
  for (ngx_chain_t* cl = in; cl; cl = cl->next) {
    ngx_buf_t* b = cl->buf;
    if (b->in_file && !ngx_buf_in_memory(b)) {
      overflow();  // spilled to a temp file: the call location buffers to disk
      b->file_pos = b->file_last;
      continue;
    }
    size_t len = static_cast<size_t>(b->last - b->pos);
    if (!ctx->reply_overflow && len > 0) {
      if (ctx->reply_bytes.size() + len > limit) {
        overflow();
      } else {
        ctx->reply_bytes.append(reinterpret_cast<const char*>(b->pos), len);
      }
    }
    b->pos = b->last;
    if (b->in_file) b->file_pos = b->file_last;
    if (b->last_buf || b->last_in_chain) ctx->reply_complete = true;
  }
  return NGX_OK;
}

RequestCtx* call_ctx(ngx_http_request_t* sr) {
  RequestCtx* ctx = request_ctx(sr->main, false);
  return ctx != nullptr && ctx->call_sr == sr ? ctx : nullptr;
}

ngx_int_t body_filter(ngx_http_request_t* r, ngx_chain_t* in) noexcept {
  if (r != r->main) {
    RequestCtx* ctx = call_ctx(r);
    if (ctx == nullptr) return next_body_filter(r, in);
    return guarded(r->connection->log, static_cast<ngx_int_t>(NGX_ERROR),
                   [&]() { return collect_call_reply(r, ctx, in); });
  }
  if (r->header_only) return next_body_filter(r, in);
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
