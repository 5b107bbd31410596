#pragma once

#include "ngx_headers.hpp"

#include <string>

#include "store/resp_codec.hpp"
#include "store/store_command.hpp"
#include "vgw_peer_exchange.hpp"

namespace vgw::ngx {

// The store for a fleet (vgw_store_redis): Redis through an upstream{}
// block, so nginx's balancer picks the server (a `backup` one when the
// primary fails) and its keepalive cache keeps connections, on the
// module's own non-blocking connections.
struct RedisStore {
  ngx_http_upstream_srv_conf_t* upstream = nullptr;
  RespSession session;  // AUTH and SELECT on each new connection
  std::string prefix = "vgw:";
  ngx_msec_t timeout = 1000;
  size_t max_value = 1024 * 1024;
};

// One command in flight, in the client request's context.
struct StoreCall {
  PeerExchange exchange;
  const RedisStore* store = nullptr;
  StoreCommand command;  // the key with the prefix
  std::string bytes;
  size_t prelude = 0;  // replies to AUTH / SELECT before the command's
  void (*on_done)(ngx_http_request_t*, const StoreReply&) = nullptr;
};

// Sends `command`; on_done(r, reply) follows, maybe before this returns
// (then with an unreachable store's reply when the connect failed at
// once). False: nothing was started.
bool start_redis_command(ngx_http_request_t* r, StoreCall& call,
                         const RedisStore& store, const StoreCommand& command,
                         void (*on_done)(ngx_http_request_t*,
                                         const StoreReply&));

// vgw_store_redis address|upstream [db=N] [username=U] [password=P]
// [prefix=P] [timeout=T]
char* parse_redis_store(ngx_conf_t* cf, RedisStore*& out);

}  // namespace vgw::ngx
