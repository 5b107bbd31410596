#include "vgw_vendor_call.hpp"

#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include <algorithm>

#include "net/http_request_writer.hpp"
#include "ngx_util.hpp"
#include "translate/reply_encoding.hpp"
#include "util/strings.hpp"

// The call runs on the vendor connection's own events (as nginx's upstream
// module does): connect, write the request, read the response into the
// core's reader, then hand the client request back to the core and run the
// requests nginx posted meanwhile. Peers come from the upstream{} block the
// URL names (round robin, hash... and its keepalive cache, which keeps the
// connection when the response was read whole and allows reuse) or from the
// literal address a call was pinned to. A call is never sent twice: a
// connection that fails before any byte was written is the only one that
// may be retried on another peer.

namespace vgw::ngx {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

ngx_http_upstream_srv_conf_t* upstream_block(ngx_http_request_t* r,
                                             std::string_view name) {
  auto* umcf = static_cast<ngx_http_upstream_main_conf_t*>(
      ngx_http_get_module_main_conf(r, ngx_http_upstream_module));
  auto** blocks =
      static_cast<ngx_http_upstream_srv_conf_t**>(umcf->upstreams.elts);
  for (ngx_uint_t i = 0; i < umcf->upstreams.nelts; ++i) {
    if ((blocks[i]->flags & NGX_HTTP_UPSTREAM_CREATE) &&
        iequals(view(blocks[i]->host), name)) {
      return blocks[i];
    }
  }
  return nullptr;
}

// Peer state lives in an ngx_http_upstream_t of our own: balancers and the
// keepalive module set it up through r->upstream, which is pointed at it
// only while they do.
bool init_peer(ngx_http_request_t* r, VendorCall& vc,
               ngx_http_upstream_srv_conf_t* block, const ngx_addr_t& address) {
  auto* holder = static_cast<ngx_http_upstream_t*>(
      ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_t)));
  if (holder == nullptr) return false;
  holder->peer.log = r->connection->log;
  holder->peer.log_error = NGX_ERROR_ERR;
  holder->peer.start_time = ngx_current_msec;
  ngx_http_upstream_t* saved = r->upstream;
  r->upstream = holder;
  bool ok = false;
  if (block != nullptr) {
    ok = block->peer.init(r, block) == NGX_OK;
  } else {
    auto* ur = static_cast<ngx_http_upstream_resolved_t*>(
        ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_resolved_t)));
    if (ur != nullptr) {
      ur->host = address.name;
      ur->name = address.name;
      ur->naddrs = 1;
      ur->sockaddr = address.sockaddr;
      ur->socklen = address.socklen;
      ok = ngx_http_upstream_create_round_robin_peer(r, ur) == NGX_OK;
    }
  }
  r->upstream = saved;
  vc.peer_holder = ok ? holder : nullptr;
  return ok;
}

void close_connection(VendorCall& vc) {
  ngx_peer_connection_t& peer = vc.peer_holder->peer;
  ngx_connection_t* c = peer.connection;
  if (c != nullptr) {
    if (c->read->timer_set) ngx_del_timer(c->read);
    if (c->write->timer_set) ngx_del_timer(c->write);
  }
  if (peer.free && peer.sockaddr) {
    vc.peer_holder->keepalive =
        !vc.failed && vc.reader && vc.reader->reusable() && !vc.extra_bytes;
    vc.peer_holder->request_body_sent = vc.unsent == nullptr;
    peer.free(&peer, peer.data, vc.failed ? NGX_PEER_FAILED : 0);
    peer.sockaddr = nullptr;
  }
  c = peer.connection;  // the keepalive cache took it, or it is ours to close
  if (c != nullptr) {
    if (c->ssl) {
      // close_notify is sent, not waited for (as nginx's upstream does).
      c->ssl->no_wait_shutdown = 1;
      (void)ngx_ssl_shutdown(c);
    }
    if (c->pool) ngx_destroy_pool(c->pool);
    ngx_close_connection(c);
    peer.connection = nullptr;
  }
}

void finish(ngx_http_request_t* r, RequestCtx* ctx, bool timed_out) {
  VendorCall& vc = ctx->vendor;
  if (vc.finished) return;
  vc.finished = true;
  if (ctx->deadline.timer_set) ngx_del_timer(&ctx->deadline);
  UpstreamReply& reply = ctx->reply;
  reply = UpstreamReply{};
  ngx_connection_t* c = vc.peer_holder->peer.connection;
  reply.request_sent = c != nullptr && c->sent > 0;
  HttpResponseReader& reader = *vc.reader;
  if (timed_out || ctx->deadline_hit) {
    reply.timed_out = true;
    ctx->deadline_hit = false;
  }
  if (reader.got_head()) {
    reply.status = reader.status();
    reply.headers = reader.take_headers();
    if (reader.state() == HttpResponseReader::State::too_large) {
      reply.too_large = true;
      ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                    "vgw: vendor reply is larger than vgw_call_max_reply_size");
    } else if (reader.state() != HttpResponseReader::State::complete) {
      reply.truncated = true;
    }
  }
  // No head, or one that does not parse: no status, as nginx's proxy
  // reports an invalid header (the core decides whether the task may exist
  // from request_sent).
  if (reader.state() != HttpResponseReader::State::complete) vc.failed = true;
  reply.body = reader.body();
  close_connection(vc);
  if (reply.status != 0 && !reply.too_large && !reply.truncated) {
    size_t limit =
        4 * std::max<size_t>(loc_conf(r)->call_max_reply, 256 * 1024);
    decode_reply_in_place(reply, ctx->reply_storage, limit);
  }
  ctx->call_done = true;
  vc.on_done(r);
}

// The call ends without a whole reply (a connection error, a timeout): the
// reader says what did arrive.
void fail_call(ngx_http_request_t* r, RequestCtx* ctx, bool timed_out = false) {
  ctx->vendor.failed = true;
  ctx->vendor.reader->end_of_input();
  finish(r, ctx, timed_out);
}

void read_reply(ngx_http_request_t* r, RequestCtx* ctx, ngx_connection_t* c) {
  VendorCall& vc = ctx->vendor;
  for (;;) {
    ngx_buf_t* b = vc.input;
    ssize_t n = c->recv(c, b->start, static_cast<size_t>(b->end - b->start));
    if (n == NGX_AGAIN) break;
    if (n == 0 || n == NGX_ERROR) {
      fail_call(r, ctx);
      return;
    }
    std::string_view bytes(reinterpret_cast<const char*>(b->start),
                           static_cast<size_t>(n));
    size_t used = vc.reader->feed(bytes);
    if (vc.reader->done()) {
      vc.extra_bytes = used < bytes.size();
      finish(r, ctx, false);
      return;
    }
  }
  if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
    fail_call(r, ctx);
    return;
  }
  ngx_add_timer(c->read, loc_conf(r)->call_timeout);
}

// A connect in progress reports its outcome as a write event; SO_ERROR
// tells whether it succeeded.
bool connected(ngx_connection_t* c) {
  if (c->write->pending_eof || c->read->pending_eof) return false;
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) err = errno;
  return err == 0;
}

void on_vendor_event(ngx_event_t* ev) noexcept;

void transmit(ngx_http_request_t* r, RequestCtx* ctx, ngx_connection_t* c) {
  VendorCall& vc = ctx->vendor;
  if (c->write->timer_set) ngx_del_timer(c->write);
  ngx_chain_t* rest = c->send_chain(c, vc.unsent, 0);
  if (rest == NGX_CHAIN_ERROR) {
    fail_call(r, ctx);
    return;
  }
  vc.unsent = rest;
  if (rest != nullptr) {
    ngx_add_timer(c->write, loc_conf(r)->call_timeout);
    if (ngx_handle_write_event(c->write, 0) != NGX_OK) fail_call(r, ctx);
    return;
  }
  read_reply(r, ctx, c);
}

bool certificate_accepted(ngx_http_request_t* r, VendorCall& vc,
                          ngx_connection_t* c) {
  if (main_conf(r)->call_ssl_verify != 1) return true;
  long rc = SSL_get_verify_result(c->ssl->connection);
  if (rc != X509_V_OK) {
    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "vgw: vendor certificate of \"%s\" not verified: %s",
                  vc.tls_name.c_str(), X509_verify_cert_error_string(rc));
    return false;
  }
  ngx_str_t name;
  name.data = reinterpret_cast<u_char*>(vc.tls_name.data());
  name.len = vc.tls_name.size();
  if (ngx_ssl_check_host(c, &name) != NGX_OK) {
    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "vgw: vendor certificate does not match \"%s\"",
                  vc.tls_name.c_str());
    return false;
  }
  return true;
}

void tls_ready(ngx_http_request_t* r, RequestCtx* ctx, ngx_connection_t* c) {
  if (c->write->timer_set) ngx_del_timer(c->write);
  if (!c->ssl->handshaked || !certificate_accepted(r, ctx->vendor, c)) {
    fail_call(r, ctx);
    return;
  }
  c->read->handler = on_vendor_event;
  c->write->handler = on_vendor_event;
  transmit(r, ctx, c);
}

void tls_handshake_done(ngx_connection_t* c) noexcept {
  auto* r = static_cast<ngx_http_request_t*>(c->data);
  ngx_connection_t* client = r->connection;
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || ctx->vendor.finished) return;
  guarded(client->log, false, [&]() {
    tls_ready(r, ctx, c);
    return true;
  });
  ngx_http_run_posted_requests(client);
}

// A session the vendor issued is kept by the peer (the upstream block's
// server) for the next connection's handshake.
void save_tls_session(ngx_connection_t* c) noexcept {
  if (c->idle) return;  // in the keepalive cache: no request owns it
  auto* r = static_cast<ngx_http_request_t*>(c->data);
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || ctx->vendor.peer_holder == nullptr) return;
  ngx_peer_connection_t& peer = ctx->vendor.peer_holder->peer;
  if (peer.save_session) peer.save_session(&peer, peer.data);
}

void start_tls(ngx_http_request_t* r, RequestCtx* ctx, ngx_connection_t* c) {
  VendorCall& vc = ctx->vendor;
  ngx_ssl_t* ssl = main_conf(r)->call_ssl;
  if (ssl == nullptr ||
      ngx_ssl_create_connection(ssl, c, NGX_SSL_BUFFER | NGX_SSL_CLIENT) !=
          NGX_OK) {
    fail_call(r, ctx);
    return;
  }
  // SNI carries a name, never an address (RFC 6066).
  bool address =
      vc.tls_name.find_first_not_of("0123456789.") == std::string::npos ||
      vc.tls_name.find(':') != std::string::npos;
  if (!address &&
      SSL_set_tlsext_host_name(c->ssl->connection, vc.tls_name.c_str()) == 0) {
    fail_call(r, ctx);
    return;
  }
  ngx_peer_connection_t& peer = vc.peer_holder->peer;
  if (peer.set_session && peer.set_session(&peer, peer.data) != NGX_OK) {
    fail_call(r, ctx);
    return;
  }
  c->ssl->save_session = save_tls_session;
  ngx_int_t rc = ngx_ssl_handshake(c);
  if (rc == NGX_AGAIN) {
    if (!c->write->timer_set) {
      ngx_add_timer(c->write, loc_conf(r)->call_connect_timeout);
    }
    c->ssl->handler = tls_handshake_done;
    return;
  }
  tls_ready(r, ctx, c);
}

void send_request(ngx_http_request_t* r, RequestCtx* ctx, ngx_connection_t* c) {
  VendorCall& vc = ctx->vendor;
  if (c->write->timer_set) ngx_del_timer(c->write);
  if (c->sent == 0 && !vc.peer_holder->peer.cached && !connected(c)) {
    fail_call(r, ctx);
    return;
  }
  if (vc.tls && c->ssl == nullptr) {
    start_tls(r, ctx, c);
    return;
  }
  transmit(r, ctx, c);
}

void on_vendor_event(ngx_event_t* ev) noexcept {
  auto* c = static_cast<ngx_connection_t*>(ev->data);
  auto* r = static_cast<ngx_http_request_t*>(c->data);
  ngx_connection_t* client = r->connection;
  ngx_http_set_log_request(client->log, r);
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr || ctx->vendor.finished) return;
  guarded(client->log, false, [&]() {
    if (ev->timedout) {
      ngx_log_error(NGX_LOG_ERR, client->log, NGX_ETIMEDOUT,
                    "vgw: vendor call timed out");
      fail_call(r, ctx, true);
    } else if (ev->write) {
      if (c->sent == 0 && (!ctx->vendor.tls || c->ssl == nullptr)) {
        send_request(r, ctx, c);
      } else if (ctx->vendor.unsent != nullptr) {
        transmit(r, ctx, c);
      }
    } else if (ctx->vendor.unsent == nullptr) {
      read_reply(r, ctx, c);
    }
    return true;
  });
  ngx_http_run_posted_requests(client);
}

bool build_output(ngx_http_request_t* r, VendorCall& vc,
                  const UpstreamCall& call) {
  ngx_chain_t** tail = &vc.unsent;
  auto add = [&](std::string_view piece) {
    return piece.empty() || append_memory_buf(r->pool, tail, piece) != nullptr;
  };
  bool ok = add(vc.head);
  call.for_each_body_piece(
      [&](std::string_view piece) { ok = ok && add(piece); });
  if (!ok) return false;
  // TLS buffers what it is given (NGX_SSL_BUFFER) until a buffer says to
  // flush: the last one does.
  ngx_chain_t* last = vc.unsent;
  while (last->next != nullptr) last = last->next;
  last->buf->flush = 1;
  return true;
}

}  // namespace

ngx_connection_t* vendor_call_connection(RequestCtx* ctx) {
  VendorCall& vc = ctx->vendor;
  if (vc.peer_holder == nullptr || vc.finished) return nullptr;
  return vc.peer_holder->peer.connection;
}

void abandon_vendor_call(RequestCtx* ctx) {
  VendorCall& vc = ctx->vendor;
  if (vc.peer_holder == nullptr || vc.finished) return;
  vc.finished = true;
  vc.failed = true;
  close_connection(vc);
}

DirectCall prepare_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                               const UrlParts& url) {
  VendorCall& vc = ctx->vendor;
  vc = VendorCall{};
  const UpstreamCall& call = ctx->call;
  ngx_http_upstream_srv_conf_t* block =
      url.authority == url.host ? upstream_block(r, url.host) : nullptr;
  ngx_addr_t address{};
  if (block == nullptr) {
    std::string text = url.host + ":" + std::to_string(url.port);
    if (ngx_parse_addr_port(r->pool, &address,
                            reinterpret_cast<u_char*>(text.data()),
                            text.size()) != NGX_OK) {
      return DirectCall::unreachable;
    }
  }
  std::string target = url.path.empty() ? "/" : url.path;
  if (!url.query.empty()) target.append("?").append(url.query);
  const std::string& host = call.host.empty() ? url.authority : call.host;
  vc.tls = url.scheme == "https";
  vc.tls_name = call.server_name.empty() ? url.host : call.server_name;
  if (!vc.tls_name.empty() && vc.tls_name.front() == '[') {
    vc.tls_name = vc.tls_name.substr(1, vc.tls_name.size() - 2);
  }
  if (!write_request_head(call, target, host, vc.head)) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vgw: the vendor call has a header or target that would "
                  "split the request");
    return DirectCall::failed;
  }
  if (!build_output(r, vc, call)) return DirectCall::failed;
  vc.reader = std::make_unique<HttpResponseReader>(loc_conf(r)->call_max_reply);
  vc.input = ngx_create_temp_buf(r->pool, kReadChunk);
  if (vc.input == nullptr || !init_peer(r, vc, block, address)) {
    return DirectCall::failed;
  }
  return DirectCall::ready;
}

void run_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                     void (*on_done)(ngx_http_request_t*)) {
  VendorCall& vc = ctx->vendor;
  vc.on_done = on_done;
  ngx_peer_connection_t& peer = vc.peer_holder->peer;
  ngx_int_t rc = ngx_event_connect_peer(&peer);
  while (rc == NGX_DECLINED && peer.tries > 1) {
    // Nothing was sent on a connect that failed at once: another peer of
    // the block may be tried.
    peer.free(&peer, peer.data, NGX_PEER_FAILED);
    rc = ngx_event_connect_peer(&peer);
  }
  if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vgw: cannot connect to the vendor");
    fail_call(r, ctx);
    return;
  }
  ngx_connection_t* c = peer.connection;
  c->data = r;
  c->read->handler = on_vendor_event;
  c->write->handler = on_vendor_event;
  c->log = r->connection->log;
  c->read->log = c->log;
  c->write->log = c->log;
  if (c->pool == nullptr) {
    c->pool = ngx_create_pool(128, r->connection->log);
    if (c->pool == nullptr) {
      fail_call(r, ctx);
      return;
    }
  }
  c->pool->log = c->log;
  c->sent = 0;
  c->requests++;
  ctx->call_done = false;
  if (rc == NGX_AGAIN) {
    ngx_add_timer(c->write, loc_conf(r)->call_connect_timeout);
    return;
  }
  send_request(r, ctx, c);
}

}  // namespace vgw::ngx
