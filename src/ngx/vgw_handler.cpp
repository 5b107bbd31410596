#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include "ngx_util.hpp"
#include "util/strings.hpp"
#include "vgw_response.hpp"

// Request lifecycle (content phase of a `vgw_api` location):
//
//   content_handler ── ngx_http_read_client_request_body ──> body_ready
//   body_ready: the core decides the first Step
//     respond       -> send JSON, finalize
//     call_vendor   -> in-memory subrequest to the call location
//                      (proxy_pass $vgw_upstream_url); when it finishes,
//                      call_finished records the reply and nginx posts the
//                      parent, whose write handler is `resume`
//     stream_media  -> internal redirect to the media location, where
//                      nginx's proxy streams the file to the client
//
// Reference counting follows ngx_http_dav_module's PUT: reading the body
// takes one reference, returned by the content handler's NGX_DONE; each
// subrequest holds one until it finishes; the final
// ngx_http_finalize_request() releases the request itself.

namespace vgw::ngx {
namespace {

void run_step(ngx_http_request_t* r, RequestCtx* ctx, Step step);

int64_t now() { return static_cast<int64_t>(ngx_time()); }

// Builds a fresh header list so the vendor sees exactly the headers the
// core produced: never the client's Authorization, cookies or SDK headers.
bool replace_headers(ngx_http_request_t* r, ngx_http_request_t* target,
                     const Headers& headers) {
  ngx_list_t& list = target->headers_in.headers;
  if (ngx_list_init(&list, r->pool, headers.size() + 2,
                    sizeof(ngx_table_elt_t)) != NGX_OK) {
    return false;
  }
  for (const auto& h : headers) {
    auto* elt = static_cast<ngx_table_elt_t*>(ngx_list_push(&list));
    if (elt == nullptr || !pool_copy(r->pool, h.name, elt->key) ||
        !pool_copy(r->pool, h.value, elt->value)) {
      return false;
    }
    elt->lowcase_key =
        static_cast<u_char*>(ngx_pnalloc(r->pool, h.name.size()));
    if (elt->lowcase_key == nullptr) return false;
    ngx_strlow(elt->lowcase_key, elt->key.data, elt->key.len);
    elt->hash = ngx_hash_key(elt->lowcase_key, elt->key.len);
  }
  return true;
}

void copy_reply_headers(ngx_http_request_t* sr, Headers& out) {
  for_each_header(sr->headers_out.headers, [&](ngx_table_elt_t& h) {
    if (h.hash != 0) out.push_back({to_string(h.key), to_string(h.value)});
  });
}

// Post-subrequest handler. nginx may call it twice for one subrequest (once
// with the error code, again after generating the error page); only the
// first call describes the vendor's reply. Returning NGX_OK instead of an
// error keeps nginx from tearing down the client's request: the core turns
// the failure into an OpenAI error instead.
ngx_int_t call_finished(ngx_http_request_t* sr, void* data,
                        ngx_int_t rc) noexcept {
  auto* ctx = static_cast<RequestCtx*>(data);
  if (ctx->call_done) return NGX_OK;
  return guarded(sr->connection->log, static_cast<ngx_int_t>(NGX_OK), [&]() {
    ctx->call_done = true;
    UpstreamReply& reply = ctx->reply;
    reply = UpstreamReply{};
    ngx_http_upstream_t* u = sr->upstream;
    bool got_headers = u != nullptr && u->headers_in.status_n != 0;
    reply.request_sent = u != nullptr && u->request_sent;
    if (got_headers) {
      reply.status = static_cast<int>(sr->headers_out.status);
      copy_reply_headers(sr, reply.headers);
      // An error after the headers means the body was cut off or did not
      // fit subrequest_output_buffer_size.
      reply.too_large = rc == NGX_ERROR || rc >= NGX_HTTP_SPECIAL_RESPONSE;
    } else if (u == nullptr && rc >= NGX_HTTP_SPECIAL_RESPONSE) {
      reply.local_status = static_cast<int>(rc);
    } else {
      reply.timed_out = rc == NGX_HTTP_GATEWAY_TIME_OUT;
    }
    if (sr->out && sr->out->buf) {
      ngx_buf_t* b = sr->out->buf;
      reply.body = std::string_view(reinterpret_cast<const char*>(b->pos),
                                    static_cast<size_t>(b->last - b->pos));
    }
    return static_cast<ngx_int_t>(NGX_OK);
  });
}

void resume(ngx_http_request_t* r) noexcept {
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || !ctx->call_done || !ctx->op) return;
  ctx->call_done = false;
  r->write_event_handler = ngx_http_request_empty_handler;
  bool ok = guarded(r->connection->log, false, [&]() {
    run_step(r, ctx, ctx->op->on_reply(ctx->reply, now()));
    return true;
  });
  if (!ok)
    ngx_http_finalize_request(
        r, send_error(r, ctx, internal_error("Internal gateway error.")));
}

bool start_call(ngx_http_request_t* r, RequestCtx* ctx, UpstreamCall call) {
  ctx->call = std::move(call);
  ctx->call_done = false;
  auto* ps = static_cast<ngx_http_post_subrequest_t*>(
      ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t)));
  if (ps == nullptr) return false;
  ps->handler = call_finished;
  ps->data = ctx;
  ngx_http_request_t* sr = nullptr;
  ngx_str_t uri = loc_conf(r)->call_location;
  if (ngx_http_subrequest(r, &uri, nullptr, &sr, ps,
                          NGX_HTTP_SUBREQUEST_IN_MEMORY |
                              NGX_HTTP_SUBREQUEST_WAITED) != NGX_OK) {
    return false;
  }
  const std::string& method = ctx->call.method;
  if (!pool_copy(r->pool, method, sr->method_name)) return false;
  sr->method = method == "POST"     ? NGX_HTTP_POST
               : method == "PUT"    ? NGX_HTTP_PUT
               : method == "DELETE" ? NGX_HTTP_DELETE
                                    : NGX_HTTP_GET;
  // A request body of our own: without it the subrequest would inherit
  // (and forward) the client's body.
  auto* rb = static_cast<ngx_http_request_body_t*>(
      ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t)));
  if (rb == nullptr) return false;
  if (!ctx->call.body.empty()) {
    auto* b = static_cast<ngx_buf_t*>(ngx_calloc_buf(r->pool));
    ngx_chain_t* cl = ngx_alloc_chain_link(r->pool);
    if (b == nullptr || cl == nullptr) return false;
    // The body stays in the request context until the request ends.
    b->pos = reinterpret_cast<u_char*>(ctx->call.body.data());
    b->last = b->pos + ctx->call.body.size();
    b->start = b->pos;
    b->end = b->last;
    b->memory = 1;
    b->last_buf = 1;
    cl->buf = b;
    cl->next = nullptr;
    rb->bufs = cl;
    rb->buf = b;
  }
  sr->request_body = rb;
  sr->headers_in.content_length_n =
      (method == "GET" || method == "DELETE") && ctx->call.body.empty()
          ? -1
          : static_cast<off_t>(ctx->call.body.size());
  sr->headers_in.content_length = nullptr;
  sr->headers_in.chunked = 0;
  sr->headers_in.transfer_encoding = nullptr;
  if (!replace_headers(r, sr, ctx->call.headers)) return false;
  r->write_event_handler = resume;
  return true;
}

bool start_media(ngx_http_request_t* r, RequestCtx* ctx, MediaFetch media) {
  ctx->media = std::move(media);
  ctx->streaming = true;
  // Range requests are passed through; credentials never are.
  Headers forward = ctx->media.headers;
  for_each_header(r->headers_in.headers, [&](ngx_table_elt_t& h) {
    std::string_view name = view(h.key);
    if (iequals(name, "Range") || iequals(name, "If-Range")) {
      forward.push_back({std::string(name), to_string(h.value)});
    }
  });
  if (!replace_headers(r, r, forward)) return false;
  ngx_str_t uri = loc_conf(r)->media_location;
  ngx_http_internal_redirect(r, &uri, nullptr);
  ngx_http_finalize_request(r, NGX_DONE);
  return true;
}

void run_step(ngx_http_request_t* r, RequestCtx* ctx, Step step) {
  switch (step.kind) {
    case Step::Kind::respond:
      ngx_http_finalize_request(r, send_response(r, ctx, step.response));
      return;
    case Step::Kind::call_vendor:
      if (!start_call(r, ctx, std::move(step.call))) {
        ngx_http_finalize_request(
            r, send_error(r, ctx,
                          internal_error(
                              "The gateway could not start the vendor call.")));
      }
      return;
    case Step::Kind::stream_media:
      if (!start_media(r, ctx, std::move(step.media))) {
        ngx_http_finalize_request(
            r, send_error(r, ctx,
                          internal_error(
                              "The gateway could not start the download.")));
      }
      return;
  }
}

void body_ready(ngx_http_request_t* r) noexcept {
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr) {
    ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    return;
  }
  ctx->capturing = false;
  bool ok = guarded(r->connection->log, false, [&]() {
    ClientCall call;
    call.method = view(r->method_name);
    call.path = view(r->uri);
    call.args = view(r->args);
    if (r->headers_in.content_type)
      call.content_type = view(r->headers_in.content_type->value);
    call.body = ctx->body;
    call.binding = ctx->binding;
    call.public_url = ctx->public_url;
    call.unified_openai_words = loc_conf(r)->unified_openai_words == 1;
    ctx->op = main_conf(r)->gateway->begin(call);
    run_step(r, ctx, ctx->op->start(now()));
    return true;
  });
  if (!ok)
    ngx_http_finalize_request(
        r, send_error(r, ctx, internal_error("Internal gateway error.")));
}

}  // namespace

ngx_int_t content_handler(ngx_http_request_t* r) {
  if (r != r->main) return NGX_DECLINED;
  RequestCtx* ctx = request_ctx(r, true);
  if (ctx == nullptr) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  bool ok = guarded(r->connection->log, false, [&]() {
    LocConf* lcf = loc_conf(r);
    if (lcf->binding && !lcf->binding_off) {
      ngx_str_t value;
      if (ngx_http_complex_value(r, lcf->binding, &value) != NGX_OK)
        return false;
      ctx->binding = to_string(value);
    }
    ngx_str_t base;
    if (ngx_http_complex_value(r, lcf->public_url, &base) != NGX_OK)
      return false;
    ctx->public_url = to_string(base);
    ctx->capturing = r->method == NGX_HTTP_POST;
    if (ctx->capturing && r->headers_in.content_length_n > 0) {
      ctx->body.reserve(static_cast<size_t>(r->headers_in.content_length_n));
    }
    return true;
  });
  if (!ok) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  ngx_int_t rc = ngx_http_read_client_request_body(r, body_ready);
  if (rc >= NGX_HTTP_SPECIAL_RESPONSE) return rc;
  return NGX_DONE;
}

}  // namespace vgw::ngx
