#pragma once

#include "ngx_headers.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace vgw::ngx {

// Reads a peer's reply as it arrives: HTTP for vendors, RESP for Redis.
class ReplyFeed {
 public:
  virtual ~ReplyFeed() = default;
  // The bytes used; fewer than given once the reply is whole.
  virtual size_t feed(std::string_view bytes) = 0;
  virtual bool done() const = 0;
  // Done, but with a reply that breaks the protocol or its limits.
  virtual bool failed() const = 0;
  virtual void end_of_input() = 0;
  // The reply was read whole and framed: the connection may be kept.
  virtual bool reusable() const = 0;
};

// One request and its reply on a connection the module opens itself, in a
// client's request: to a peer of an upstream{} block (its balancer and
// keepalive cache) or to a literal address. Never sent twice: only a
// connect that fails at once may try another peer.
struct PeerExchange {
  const char* kind = "peer";  // in log lines: "vendor", "store"
  ngx_http_request_t* request = nullptr;
  void* owner = nullptr;  // what compose and on_done work for
  ngx_http_upstream_t* peer_holder = nullptr;  // peer state, keepalive flags
  ngx_chain_t* unsent = nullptr;
  ngx_buf_t* input = nullptr;
  std::unique_ptr<ReplyFeed> feed;
  ngx_msec_t connect_timeout = 0;
  ngx_msec_t timeout = 0;  // each read or write
  bool tls = false;        // TLS before the request is written
  std::string tls_name;    // SNI and the name the certificate must carry
  // Once connected: writes the request into `unsent` when it depends on
  // whether the connection is a kept-alive one (`reused`); false fails.
  bool (*compose)(PeerExchange&, bool reused) = nullptr;
  // The exchange ended (reply whole, or failed): the connection is closed
  // or kept, and the feed says what arrived.
  void (*on_done)(PeerExchange&) = nullptr;

  bool request_sent = false;  // some bytes reached the peer
  bool timed_out = false;
  bool extra_bytes = false;  // the peer sent more than one reply
  bool failed = false;       // connection error: never kept alive
  bool finished = false;
};

// The upstream{} block named `name` (nullptr: none).
ngx_http_upstream_srv_conf_t* find_upstream_block(ngx_http_request_t* r,
                                                  std::string_view name);
// Gets `x` ready for a peer of `block`, or of `address` when block is
// nullptr: fresh state, an input buffer, the balancer's peer.
bool init_exchange(ngx_http_request_t* r, PeerExchange& x,
                   ngx_http_upstream_srv_conf_t* block,
                   const ngx_addr_t* address);
// Queues bytes that outlive the exchange; `flush` on the last piece.
bool queue_output(PeerExchange& x, std::string_view bytes, bool flush);
// Connects and runs it; on_done(x) follows, maybe before this returns.
void run_exchange(PeerExchange& x);
// The connection, while one is open.
ngx_connection_t* exchange_connection(PeerExchange& x);
// The request ends with the exchange in flight: its connection is closed.
void abandon_exchange(PeerExchange& x);

}  // namespace vgw::ngx
