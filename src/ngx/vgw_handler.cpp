#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include <algorithm>

#include "ngx_util.hpp"
#include "translate/reply_encoding.hpp"
#include "util/strings.hpp"
#include "vgw_response.hpp"
#include "vgw_store.hpp"
#include "vgw_vendor_call.hpp"

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
//     resolve       -> nginx's resolver looks a client-supplied host name
//                      up; name_resolved hands the addresses to the core
//
// Reference counting follows ngx_http_dav_module's PUT: reading the body
// takes one reference, returned by the content handler's NGX_DONE; each
// subrequest holds one until it finishes; the final
// ngx_http_finalize_request() releases the request itself.

namespace vgw::ngx {
namespace {

void run_step(ngx_http_request_t* r, RequestCtx* ctx, Step step);

// Runs the core's next step; an exception while computing or running it ends
// the request with a 500 envelope instead of unwinding into nginx.
template <class NextStep>
void advance(ngx_http_request_t* r, RequestCtx* ctx, NextStep next_step) {
  bool ok = guarded(r->connection->log, false, [&]() {
    run_step(r, ctx, next_step());
    return true;
  });
  if (!ok)
    ngx_http_finalize_request(
        r, send_internal_error(r, ctx, "Internal gateway error."));
}

int64_t now() { return static_cast<int64_t>(ngx_time()); }

// The Idempotency-Key request header (nginx keeps no field for it).
std::string_view idempotency_key(ngx_http_request_t* r) {
  std::string_view found;
  for_each_header(r->headers_in.headers, [&](ngx_table_elt_t& h) {
    if (found.empty() && h.key.len == sizeof("idempotency-key") - 1 &&
        ngx_strncasecmp(
            h.key.data,
            reinterpret_cast<u_char*>(const_cast<char*>("idempotency-key")),
            h.key.len) == 0) {
      found = view(h.value);
    }
  });
  return found;
}

size_t chunked_body_limit(ngx_http_request_t* r, const LocConf* lcf) {
  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_get_module_loc_conf(r, ngx_http_core_module));
  size_t client_max = clcf->client_max_body_size > 0
                          ? static_cast<size_t>(clcf->client_max_body_size)
                          : SIZE_MAX;
  size_t configured = lcf->chunked_body_max;
  if (configured == NGX_CONF_UNSET_SIZE) {
    return std::min(client_max, std::max<size_t>(client_max / 8, 1 << 20));
  }
  return configured == 0 ? client_max : std::min(client_max, configured);
}

// Builds a fresh header list so the vendor sees exactly the headers the
// core produced: never the client's Authorization, cookies or SDK headers.
bool header_list(ngx_http_request_t* r, const Headers& headers,
                 ngx_list_t& list) {
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
    ctx->call_sr = nullptr;
    if (ctx->deadline.timer_set) ngx_del_timer(&ctx->deadline);
    UpstreamReply& reply = ctx->reply;
    reply = UpstreamReply{};
    ngx_http_upstream_t* u = sr->upstream;
    bool got_headers = u != nullptr && u->headers_in.status_n != 0;
    reply.request_sent = u != nullptr && u->request_sent;
    reply.body = ctx->reply_bytes;
    if (view(sr->uri) != view(loc_conf(sr->main)->call_location)) {
      // Something redirected the call inside nginx (an X-Accel-Redirect the
      // call location did not ignore): its output is not the vendor's.
      ngx_log_error(NGX_LOG_ERR, sr->connection->log, 0,
                    "vgw: the vendor call was redirected to \"%V\"; its "
                    "reply is refused",
                    &sr->uri);
      reply.status = 502;
      reply.unreadable = true;
      reply.body = {};
    } else if (got_headers) {
      reply.status = static_cast<int>(sr->headers_out.status);
      copy_reply_headers(sr, reply.headers);
      if (ctx->reply_overflow) {
        reply.too_large = true;
      } else if ((!ctx->reply_complete && !sr->header_only) ||
                 rc == NGX_ERROR || rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        // The upstream ends a body it read whole with a last buffer; a
        // body cut off (a closed connection, a read timeout) has none.
        reply.truncated = true;
      }
    } else if (u == nullptr && rc >= NGX_HTTP_SPECIAL_RESPONSE) {
      reply.local_status = static_cast<int>(rc);
    } else {
      reply.timed_out = rc == NGX_HTTP_GATEWAY_TIME_OUT;
    }
    if (ctx->deadline_hit) {
      reply.timed_out = true;
      ctx->deadline_hit = false;
    }
    if (got_headers && !reply.too_large && !reply.truncated &&
        !reply.unreadable) {
      auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
          ngx_http_get_module_loc_conf(sr, ngx_http_core_module));
      size_t limit =
          4 * std::max<size_t>(clcf->subrequest_output_buffer_size, 256 * 1024);
      decode_reply_in_place(reply, ctx->reply_storage, limit);
    }
    return static_cast<ngx_int_t>(NGX_OK);
  });
}

// The call's total time is up: the upstream is made to see a timeout, as if
// proxy_read_timeout had fired, and finishes through its usual path.
void deadline_expired(ngx_event_t* ev) noexcept {
  auto* r = static_cast<ngx_http_request_t*>(ev->data);
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || ctx->call_done) return;
  ngx_connection_t* vendor = nullptr;
  if (ctx->call_sr != nullptr && ctx->call_sr->upstream != nullptr) {
    vendor = ctx->call_sr->upstream->peer.connection;
  } else if (ctx->call_sr == nullptr) {
    vendor = exchange_connection(ctx->vendor);
  }
  if (vendor == nullptr) {
    ngx_add_timer(ev, 1000);  // not connected yet: look again shortly
    return;
  }
  ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                "vgw: call took longer than %d s, aborting it",
                ctx->call.deadline_seconds);
  ctx->deadline_hit = true;
  ngx_event_t* rev = vendor->read;
  rev->timedout = 1;
  ngx_post_event(rev, &ngx_posted_events);
}

void arm_deadline(ngx_http_request_t* r, RequestCtx* ctx) {
  ctx->deadline.handler = deadline_expired;
  ctx->deadline.data = r;
  ctx->deadline.log = r->connection->log;
  ctx->deadline.cancelable = 1;
  ngx_add_timer(&ctx->deadline,
                static_cast<ngx_msec_t>(ctx->call.deadline_seconds) * 1000);
}

void resume(ngx_http_request_t* r) noexcept {
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || !ctx->call_done || !ctx->op) return;
  ctx->call_done = false;
  r->write_event_handler = ngx_http_request_empty_handler;
  advance(r, ctx, [&]() { return ctx->op->on_reply(ctx->reply, now()); });
}

bool start_call(ngx_http_request_t* r, RequestCtx* ctx, UpstreamCall call) {
  ctx->call = std::move(call);
  ctx->call_done = false;
  ctx->deadline_hit = false;
  std::string().swap(ctx->reply_bytes);
  ctx->reply_overflow = false;
  ctx->reply_complete = false;
  std::optional<UrlParts> url = parse_url(ctx->call.url);
  if (ctx->call.host.empty() && url) {
    // $vgw_upstream_host / $vgw_upstream_name: what nginx would derive.
    ctx->call.host = url->authority;
    ctx->call.server_name = url->host;
  }
  LocConf* lcf = loc_conf(r);
  if (url && lcf->direct_calls == 1 && !lcf->call_location_explicit) {
    switch (prepare_vendor_call(r, ctx, *url)) {
      case DirectCall::ready:
        ctx->call_sr = nullptr;
        r->write_event_handler = ngx_http_request_empty_handler;
        if (ctx->call.deadline_seconds > 0) arm_deadline(r, ctx);
        run_vendor_call(r, ctx, resume);
        return true;
      case DirectCall::failed:
        return false;
      case DirectCall::unreachable:
        break;  // a host name: the call location's proxy resolves it
    }
  }
  // Everything the subrequest needs is built first: once it exists it is
  // posted, and a failure after that would leave it to run with the
  // client's headers and body.
  ngx_list_t headers;
  if (!header_list(r, ctx->call.headers, headers)) return false;
  const std::string& method = ctx->call.method;
  ngx_str_t method_name;
  if (!pool_copy(r->pool, method, method_name)) return false;
  // A request body of our own: without it the subrequest would inherit
  // (and forward) the client's body. Large parts are views of memory that
  // lives until the request ends (the client's body, the operation).
  auto* rb = static_cast<ngx_http_request_body_t*>(
      ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t)));
  if (rb == nullptr) return false;
  ngx_chain_t** tail = &rb->bufs;
  bool ok = true;
  ctx->call.for_each_body_piece([&](std::string_view piece) {
    ngx_buf_t* b = ok ? append_memory_buf(r->pool, tail, piece) : nullptr;
    ok = b != nullptr;
    if (ok) rb->buf = b;
  });
  if (!ok) return false;
  if (rb->buf) {
    rb->buf->last_buf = 1;
    rb->buf->last_in_chain = 1;
  }
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
  sr->method_name = method_name;
  sr->method = method == "POST"     ? NGX_HTTP_POST
               : method == "PUT"    ? NGX_HTTP_PUT
               : method == "DELETE" ? NGX_HTTP_DELETE
                                    : NGX_HTTP_GET;
  sr->request_body = rb;
  size_t size = ctx->call.body_size();
  sr->headers_in.content_length_n =
      (method == "GET" || method == "DELETE") && size == 0
          ? -1
          : static_cast<off_t>(size);
  sr->headers_in.content_length = nullptr;
  sr->headers_in.chunked = 0;
  sr->headers_in.transfer_encoding = nullptr;
  // The list's `last` points at its embedded first part: repoint it.
  sr->headers_in.headers = headers;
  if (headers.last == &headers.part) {
    sr->headers_in.headers.last = &sr->headers_in.headers.part;
  }
  ctx->call_sr = sr;
  if (ctx->call.deadline_seconds > 0) arm_deadline(r, ctx);
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
  if (!header_list(r, forward, r->headers_in.headers)) return false;
  ngx_str_t uri = loc_conf(r)->media_location;
  ngx_http_internal_redirect(r, &uri, nullptr);
  ngx_http_finalize_request(r, NGX_DONE);
  return true;
}

void answer_resolved(ngx_http_request_t* r, RequestCtx* ctx,
                     const ResolvedHost& host) {
  advance(r, ctx, [&]() { return ctx->op->on_resolved(host, now()); });
}

void name_resolved(ngx_resolver_ctx_t* rctx) noexcept {
  auto* r = static_cast<ngx_http_request_t*>(rctx->data);
  ngx_connection_t* c = r->connection;
  bool run_posted = rctx->async;
  ngx_http_set_log_request(c->log, r);
  RequestCtx* ctx = request_ctx(r, false);
  ResolvedHost host;
  guarded(c->log, false, [&]() {
    if (rctx->state) {
      host.error = ngx_resolver_strerror(rctx->state);
      return true;
    }
    for (ngx_uint_t i = 0; i < rctx->naddrs; ++i) {
      u_char text[NGX_SOCKADDR_STRLEN];
      size_t len =
          ngx_sock_ntop(rctx->addrs[i].sockaddr, rctx->addrs[i].socklen, text,
                        NGX_SOCKADDR_STRLEN, 0);
      host.addresses.emplace_back(reinterpret_cast<const char*>(text), len);
    }
    return true;
  });
  ngx_resolve_name_done(rctx);
  if (ctx != nullptr) {
    ctx->resolving = nullptr;
    if (ctx->op) {
      answer_resolved(r, ctx, host);
    } else {
      ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }
  }
  if (run_posted) ngx_http_run_posted_requests(c);
}

// Client-supplied host names are looked up with the location's `resolver`
// (nginx's own, non-blocking); the core checks the addresses and pins the
// call to one of them.
bool start_resolve(ngx_http_request_t* r, RequestCtx* ctx,
                   const std::string& name) {
  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_get_module_loc_conf(r, ngx_http_core_module));
  ngx_resolver_ctx_t temp;
  ngx_memzero(&temp, sizeof(temp));
  if (!pool_copy(r->pool, name, temp.name)) return false;
  ngx_resolver_ctx_t* rctx = ngx_resolve_start(clcf->resolver, &temp);
  if (rctx == nullptr) return false;
  if (rctx == NGX_NO_RESOLVER) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vgw: no resolver defined to resolve %V", &temp.name);
    ResolvedHost none;
    none.error = "no resolver is configured";
    answer_resolved(r, ctx, none);
    return true;
  }
  rctx->name = temp.name;
  rctx->handler = name_resolved;
  rctx->data = r;
  rctx->timeout = clcf->resolver_timeout;
  ctx->resolving = rctx;
  // A cached name calls name_resolved before this returns.
  if (ngx_resolve_name(rctx) != NGX_OK) {
    ctx->resolving = nullptr;
    return false;
  }
  return true;
}

void store_answered(ngx_http_request_t* r, const StoreReply& reply) {
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || !ctx->op) return;
  advance(r, ctx, [&]() { return ctx->op->on_store(reply, now()); });
}

void wait_over(ngx_event_t* ev) noexcept {
  auto* r = static_cast<ngx_http_request_t*>(ev->data);
  ngx_connection_t* c = r->connection;
  ngx_http_set_log_request(c->log, r);
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx != nullptr && ctx->op) {
    advance(r, ctx, [&]() { return ctx->op->on_timer(now()); });
  }
  ngx_http_run_posted_requests(c);
}

void start_wait(ngx_http_request_t* r, RequestCtx* ctx, int64_t ms) {
  r->write_event_handler = ngx_http_request_empty_handler;
  ctx->wait_timer.handler = wait_over;
  ctx->wait_timer.data = r;
  ctx->wait_timer.log = r->connection->log;
  // A worker shutting down does not wait for it: the request ends.
  ctx->wait_timer.cancelable = 1;
  ngx_add_timer(&ctx->wait_timer,
                static_cast<ngx_msec_t>(std::max<int64_t>(ms, 1)));
}

void run_step(ngx_http_request_t* r, RequestCtx* ctx, Step step) {
  // The embedded store answers at once (a lookup under the zone's mutex);
  // Redis later, on its connection's events.
  MainConf* mcf = main_conf(r);
  while (step.kind == Step::Kind::store) {
    if (mcf->redis != nullptr) {
      r->write_event_handler = ngx_http_request_empty_handler;
      if (start_redis_command(r, ctx->store_call, *mcf->redis, step.store,
                              store_answered)) {
        return;
      }
      step = ctx->op->on_store(StoreReply{}, now());
      continue;
    }
    step = ctx->op->on_store(run_store_command(mcf, step.store), now());
  }
  switch (step.kind) {
    case Step::Kind::store:
      return;
    case Step::Kind::wait:
      start_wait(r, ctx, step.wait_ms);
      return;
    case Step::Kind::resolve:
      if (!start_resolve(r, ctx, step.resolve_name)) {
        ngx_http_finalize_request(
            r, send_internal_error(
                   r, ctx, "The gateway could not start a name lookup."));
      }
      return;
    case Step::Kind::respond:
      ngx_http_finalize_request(r, send_response(r, ctx, step.response));
      return;
    case Step::Kind::call_vendor:
      if (!start_call(r, ctx, std::move(step.call))) {
        ngx_http_finalize_request(
            r, send_internal_error(
                   r, ctx, "The gateway could not start the vendor call."));
      }
      return;
    case Step::Kind::stream_media:
      if (!start_media(r, ctx, std::move(step.media))) {
        ngx_http_finalize_request(
            r, send_internal_error(
                   r, ctx, "The gateway could not start the download."));
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
  if (ctx->body_overflow) {
    ngx_http_finalize_request(
        r,
        guarded(r->connection->log,
                static_cast<ngx_int_t>(NGX_HTTP_INTERNAL_SERVER_ERROR), [&]() {
                  ApiError e = error_for_status(NGX_HTTP_LENGTH_REQUIRED);
                  e.message =
                      "A request body this large must be sent with a "
                      "Content-Length header, not chunked "
                      "(vgw_chunked_body_max_size).";
                  return send_response(r, ctx, e.to_response());
                }));
    return;
  }
  advance(r, ctx, [&]() {
    ClientCall call;
    call.method = view(r->method_name);
    call.path = view(r->uri);
    call.args = view(r->args);
    if (r->headers_in.content_type)
      call.content_type = view(r->headers_in.content_type->value);
    call.body = ctx->body.view();
    call.body_buffer = &ctx->body;
    call.binding = ctx->binding;
    if (ctx->caller) call.caller = &*ctx->caller;
    call.idempotency_key = idempotency_key(r);
    call.public_url = ctx->public_url;
    call.unified_openai_words = loc_conf(r)->unified_openai_words == 1;
    ctx->op = main_conf(r)->gateway->begin(call);
    return ctx->op->start(now());
  });
}

}  // namespace

ngx_int_t content_handler(ngx_http_request_t* r) noexcept {
  if (r != r->main) return NGX_DECLINED;
  bool ok = guarded(r->connection->log, false, [&]() {
    RequestCtx* ctx = request_ctx(r, true);
    if (ctx == nullptr) return false;
    LocConf* lcf = loc_conf(r);
    const Caller* caller = request_caller(r);
    if (caller && lcf->binding_default) {
      ctx->binding = caller->binding();
    } else if (lcf->binding && !lcf->binding_off) {
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
    // Held once, in a buffer of its own (ByteBuffer), sized up front when
    // the length is known: nginx refuses such a body over
    // client_max_body_size before reading it. A chunked body can only be
    // refused once it is over, so only so much of one is held: a body that
    // will be refused costs little memory while it arrives.
    off_t length = r->headers_in.content_length_n;
    ctx->body_limit =
        length >= 0 ? static_cast<size_t>(length) : chunked_body_limit(r, lcf);
    if (ctx->capturing && length > 0) ctx->body.reserve(ctx->body_limit);
    return true;
  });
  if (!ok) return NGX_HTTP_INTERNAL_SERVER_ERROR;
  ngx_int_t rc = ngx_http_read_client_request_body(r, body_ready);
  if (rc >= NGX_HTTP_SPECIAL_RESPONSE) return rc;
  return NGX_DONE;
}

}  // namespace vgw::ngx
