#include "vgw_peer_exchange.hpp"

#include "vgw_module.hpp"

#include "ngx_util.hpp"
#include "util/strings.hpp"

// The exchange runs on the peer connection's own events (as nginx's
// upstream module does): connect, write the request, read the reply into
// the feed, then hand the client request back and run the requests nginx
// posted meanwhile. The balancer's free() decides whether the keepalive
// cache keeps the connection: only when the reply was read whole and
// nothing followed it.

namespace vgw::ngx {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

void close_connection(PeerExchange& x) {
  ngx_peer_connection_t& peer = x.peer_holder->peer;
  ngx_connection_t* c = peer.connection;
  if (c != nullptr) {
    if (c->read->timer_set) ngx_del_timer(c->read);
    if (c->write->timer_set) ngx_del_timer(c->write);
  }
  if (peer.free && peer.sockaddr) {
    x.peer_holder->keepalive =
        !x.failed && x.feed && x.feed->reusable() && !x.extra_bytes;
    x.peer_holder->request_body_sent = x.unsent == nullptr;
    peer.free(&peer, peer.data, x.failed ? NGX_PEER_FAILED : 0);
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

void finish(PeerExchange& x) {
  if (x.finished) return;
  x.finished = true;
  ngx_connection_t* c = x.peer_holder->peer.connection;
  x.request_sent = c != nullptr && c->sent > 0;
  if (!x.feed->done() || x.feed->failed()) x.failed = true;
  close_connection(x);
  x.on_done(x);
}

// The exchange ends without a whole reply (a connection error, a
// timeout): the feed says what did arrive.
void fail(PeerExchange& x, bool timed_out = false) {
  x.failed = true;
  x.timed_out = x.timed_out || timed_out;
  x.feed->end_of_input();
  finish(x);
}

void read_reply(PeerExchange& x, ngx_connection_t* c) {
  for (;;) {
    ngx_buf_t* b = x.input;
    ssize_t n = c->recv(c, b->start, static_cast<size_t>(b->end - b->start));
    if (n == NGX_AGAIN) break;
    if (n == 0 || n == NGX_ERROR) {
      fail(x);
      return;
    }
    std::string_view bytes(reinterpret_cast<const char*>(b->start),
                           static_cast<size_t>(n));
    size_t used = x.feed->feed(bytes);
    if (x.feed->done()) {
      x.extra_bytes = used < bytes.size();
      finish(x);
      return;
    }
  }
  if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
    fail(x);
    return;
  }
  ngx_add_timer(c->read, x.timeout);
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

void on_peer_event(ngx_event_t* ev) noexcept;

void transmit(PeerExchange& x, ngx_connection_t* c) {
  if (c->write->timer_set) ngx_del_timer(c->write);
  ngx_chain_t* rest = c->send_chain(c, x.unsent, 0);
  if (rest == NGX_CHAIN_ERROR) {
    fail(x);
    return;
  }
  x.unsent = rest;
  if (rest != nullptr) {
    ngx_add_timer(c->write, x.timeout);
    if (ngx_handle_write_event(c->write, 0) != NGX_OK) fail(x);
    return;
  }
  read_reply(x, c);
}

bool certificate_accepted(PeerExchange& x, ngx_connection_t* c) {
  if (main_conf(x.request)->call_ssl_verify != 1) return true;
  long rc = SSL_get_verify_result(c->ssl->connection);
  if (rc != X509_V_OK) {
    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "vgw: %s certificate of \"%s\" not verified: %s", x.kind,
                  x.tls_name.c_str(), X509_verify_cert_error_string(rc));
    return false;
  }
  ngx_str_t name;
  name.data = reinterpret_cast<u_char*>(x.tls_name.data());
  name.len = x.tls_name.size();
  if (ngx_ssl_check_host(c, &name) != NGX_OK) {
    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "vgw: %s certificate does not match \"%s\"", x.kind,
                  x.tls_name.c_str());
    return false;
  }
  return true;
}

void tls_ready(PeerExchange& x, ngx_connection_t* c) {
  if (c->write->timer_set) ngx_del_timer(c->write);
  if (!c->ssl->handshaked || !certificate_accepted(x, c)) {
    fail(x);
    return;
  }
  c->read->handler = on_peer_event;
  c->write->handler = on_peer_event;
  transmit(x, c);
}

void tls_handshake_done(ngx_connection_t* c) noexcept {
  auto* x = static_cast<PeerExchange*>(c->data);
  if (x->finished) return;
  ngx_connection_t* client = x->request->connection;
  guarded(client->log, false, [&]() {
    tls_ready(*x, c);
    return true;
  });
  ngx_http_run_posted_requests(client);
}

// A session the peer issued is kept by the upstream block's server for the
// next connection's handshake.
void save_tls_session(ngx_connection_t* c) noexcept {
  if (c->idle) return;  // in the keepalive cache: no exchange owns it
  auto* x = static_cast<PeerExchange*>(c->data);
  if (x == nullptr || x->peer_holder == nullptr) return;
  ngx_peer_connection_t& peer = x->peer_holder->peer;
  if (peer.save_session) peer.save_session(&peer, peer.data);
}

void start_tls(PeerExchange& x, ngx_connection_t* c) {
  ngx_ssl_t* ssl = main_conf(x.request)->call_ssl;
  if (ssl == nullptr ||
      ngx_ssl_create_connection(ssl, c, NGX_SSL_BUFFER | NGX_SSL_CLIENT) !=
          NGX_OK) {
    fail(x);
    return;
  }
  // SNI carries a name, never an address (RFC 6066).
  bool address =
      x.tls_name.find_first_not_of("0123456789.") == std::string::npos ||
      x.tls_name.find(':') != std::string::npos;
  if (!address &&
      SSL_set_tlsext_host_name(c->ssl->connection, x.tls_name.c_str()) == 0) {
    fail(x);
    return;
  }
  ngx_peer_connection_t& peer = x.peer_holder->peer;
  if (peer.set_session && peer.set_session(&peer, peer.data) != NGX_OK) {
    fail(x);
    return;
  }
  c->ssl->save_session = save_tls_session;
  ngx_int_t rc = ngx_ssl_handshake(c);
  if (rc == NGX_AGAIN) {
    if (!c->write->timer_set) ngx_add_timer(c->write, x.connect_timeout);
    c->ssl->handler = tls_handshake_done;
    return;
  }
  tls_ready(x, c);
}

void send_request(PeerExchange& x, ngx_connection_t* c) {
  if (c->write->timer_set) ngx_del_timer(c->write);
  if (c->sent == 0 && !x.peer_holder->peer.cached && !connected(c)) {
    fail(x);
    return;
  }
  if (x.tls && c->ssl == nullptr) {
    start_tls(x, c);
    return;
  }
  transmit(x, c);
}

void on_peer_event(ngx_event_t* ev) noexcept {
  auto* c = static_cast<ngx_connection_t*>(ev->data);
  auto* x = static_cast<PeerExchange*>(c->data);
  if (x->finished) return;
  ngx_http_request_t* r = x->request;
  ngx_connection_t* client = r->connection;
  ngx_http_set_log_request(client->log, r);
  guarded(client->log, false, [&]() {
    if (ev->timedout) {
      ngx_log_error(NGX_LOG_ERR, client->log, NGX_ETIMEDOUT,
                    "vgw: %s call timed out", x->kind);
      fail(*x, true);
    } else if (ev->write) {
      if (c->sent == 0 && (!x->tls || c->ssl == nullptr)) {
        send_request(*x, c);
      } else if (x->unsent != nullptr) {
        transmit(*x, c);
      }
    } else if (x->unsent == nullptr) {
      read_reply(*x, c);
    }
    return true;
  });
  ngx_http_run_posted_requests(client);
}

}  // namespace

ngx_http_upstream_srv_conf_t* find_upstream_block(ngx_http_request_t* r,
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
bool init_exchange(ngx_http_request_t* r, PeerExchange& x,
                   ngx_http_upstream_srv_conf_t* block,
                   const ngx_addr_t* address) {
  x.request = r;
  x.input = ngx_create_temp_buf(r->pool, kReadChunk);
  auto* holder = static_cast<ngx_http_upstream_t*>(
      ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_t)));
  if (x.input == nullptr || holder == nullptr) return false;
  holder->peer.log = r->connection->log;
  holder->peer.log_error = NGX_ERROR_ERR;
  holder->peer.start_time = ngx_current_msec;
  ngx_http_upstream_t* saved = r->upstream;
  r->upstream = holder;
  bool ok = false;
  if (block != nullptr) {
    ok = block->peer.init(r, block) == NGX_OK;
  } else if (address != nullptr) {
    auto* ur = static_cast<ngx_http_upstream_resolved_t*>(
        ngx_pcalloc(r->pool, sizeof(ngx_http_upstream_resolved_t)));
    if (ur != nullptr) {
      ur->host = address->name;
      ur->name = address->name;
      ur->naddrs = 1;
      ur->sockaddr = address->sockaddr;
      ur->socklen = address->socklen;
      ok = ngx_http_upstream_create_round_robin_peer(r, ur) == NGX_OK;
    }
  }
  r->upstream = saved;
  x.peer_holder = ok ? holder : nullptr;
  return ok;
}

bool queue_output(PeerExchange& x, std::string_view bytes, bool flush) {
  ngx_chain_t** tail = &x.unsent;
  while (*tail != nullptr) tail = &(*tail)->next;
  ngx_buf_t* b =
      bytes.empty() ? nullptr : append_memory_buf(x.request->pool, tail, bytes);
  if (b == nullptr && !bytes.empty()) return false;
  // TLS buffers what it is given (NGX_SSL_BUFFER) until a buffer says to
  // flush: the last one does.
  if (flush && x.unsent != nullptr) {
    ngx_chain_t* last = x.unsent;
    while (last->next != nullptr) last = last->next;
    last->buf->flush = 1;
  }
  return true;
}

ngx_connection_t* exchange_connection(PeerExchange& x) {
  if (x.peer_holder == nullptr || x.finished) return nullptr;
  return x.peer_holder->peer.connection;
}

void abandon_exchange(PeerExchange& x) {
  if (x.peer_holder == nullptr || x.finished) return;
  x.finished = true;
  x.failed = true;
  close_connection(x);
}

void run_exchange(PeerExchange& x) {
  ngx_http_request_t* r = x.request;
  ngx_peer_connection_t& peer = x.peer_holder->peer;
  ngx_int_t rc = ngx_event_connect_peer(&peer);
  while (rc == NGX_DECLINED && peer.tries > 1) {
    // Nothing was sent on a connect that failed at once: another peer of
    // the block may be tried.
    peer.free(&peer, peer.data, NGX_PEER_FAILED);
    rc = ngx_event_connect_peer(&peer);
  }
  if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vgw: cannot connect to the %s", x.kind);
    fail(x);
    return;
  }
  ngx_connection_t* c = peer.connection;
  c->data = &x;
  c->read->handler = on_peer_event;
  c->write->handler = on_peer_event;
  c->log = r->connection->log;
  c->read->log = c->log;
  c->write->log = c->log;
  if (c->pool == nullptr) {
    c->pool = ngx_create_pool(128, r->connection->log);
    if (c->pool == nullptr) {
      fail(x);
      return;
    }
  }
  c->pool->log = c->log;
  c->sent = 0;
  c->requests++;
  if (x.compose != nullptr && !x.compose(x, peer.cached != 0)) {
    fail(x);
    return;
  }
  if (rc == NGX_AGAIN) {
    ngx_add_timer(c->write, x.connect_timeout);
    return;
  }
  send_request(x, c);
}

}  // namespace vgw::ngx
