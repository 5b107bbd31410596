#include "vgw_store_redis.hpp"

#include <memory>

#include "ngx_util.hpp"
#include "util/strings.hpp"
#include "vgw_module.hpp"

// Redis speaks RESP, encoded and read by the core (store/resp_codec); this
// file runs it on a peer exchange. A command is never resent: a SET NX or
// an INCRBY that reached Redis and lost its reply must not run twice, so a
// failed exchange answers "unreachable" and each use decides (limits fail
// open, idempotency fails closed).

namespace vgw::ngx {
namespace {

class RespFeed final : public ReplyFeed {
 public:
  RespFeed(size_t replies, size_t max_bulk) : reader(replies, max_bulk) {}
  size_t feed(std::string_view bytes) override { return reader.feed(bytes); }
  bool done() const override { return reader.done(); }
  bool failed() const override { return reader.failed(); }
  void end_of_input() override { reader.end_of_input(); }
  bool reusable() const override { return reader.reusable(); }
  RespReplyReader reader;
};

// A kept-alive connection is already authenticated and on its database; a
// new one is told both before the command, in the same write.
bool compose(PeerExchange& x, bool reused) {
  auto& call = *static_cast<StoreCall*>(x.owner);
  const RespSession& session = call.store->session;
  call.bytes.clear();
  size_t replies = write_store_request(call.command,
                                       reused ? nullptr : &session, call.bytes);
  call.prelude = reused ? 0 : session_replies(session);
  x.feed = std::make_unique<RespFeed>(replies, call.store->max_value);
  return queue_output(x, call.bytes, true);
}

void answered(PeerExchange& x) {
  auto& call = *static_cast<StoreCall*>(x.owner);
  StoreReply reply;
  if (!x.failed) {
    const auto& feed = static_cast<const RespFeed&>(*x.feed);
    reply = store_reply_from(call.command, feed.reader, call.prelude);
  }
  if (!reply.ok) {
    ngx_log_error(NGX_LOG_WARN, x.request->connection->log, 0,
                  "vgw: the Redis store did not answer a command%s",
                  x.timed_out ? " in time" : "");
  }
  call.on_done(x.request, reply);
}

void destroy_redis_store(void* data) noexcept {
  static_cast<RedisStore*>(data)->~RedisStore();
}

}  // namespace

bool start_redis_command(ngx_http_request_t* r, StoreCall& call,
                         const RedisStore& store, const StoreCommand& command,
                         void (*on_done)(ngx_http_request_t*,
                                         const StoreReply&)) {
  call.store = &store;
  call.on_done = on_done;
  call.command = command;
  call.command.key.insert(0, store.prefix);
  PeerExchange& x = call.exchange;
  x = PeerExchange{};
  x.kind = "store";
  x.owner = &call;
  x.connect_timeout = store.timeout;
  x.timeout = store.timeout;
  x.compose = compose;
  x.on_done = answered;
  // Until compose knows the connection, a failed connect reads as nothing.
  x.feed = std::make_unique<RespFeed>(1, store.max_value);
  if (!init_exchange(r, x, store.upstream, nullptr)) return false;
  run_exchange(x);
  return true;
}

char* parse_redis_store(ngx_conf_t* cf, RedisStore*& out) {
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (out != nullptr) return const_cast<char*>("is duplicate");
  ngx_pool_cleanup_t* cln = ngx_pool_cleanup_add(cf->pool, sizeof(RedisStore));
  if (cln == nullptr) return static_cast<char*>(NGX_CONF_ERROR);
  auto* store = new (cln->data) RedisStore();
  cln->handler = destroy_redis_store;
  ngx_url_t url;
  ngx_memzero(&url, sizeof(url));
  url.url = args[1];
  url.default_port = 6379;
  url.no_resolve = 1;
  store->upstream = ngx_http_upstream_add(cf, &url, 0);
  if (store->upstream == nullptr) return static_cast<char*>(NGX_CONF_ERROR);
  for (ngx_uint_t i = 2; i < cf->args->nelts; ++i) {
    std::string_view arg = view(args[i]);
    ngx_str_t value = args[i];
    size_t eq = arg.find('=');
    if (eq != std::string_view::npos) {
      value.data += eq + 1;
      value.len -= eq + 1;
    }
    if (starts_with(arg, "db=")) {
      auto n = parse_uint(arg.substr(3));
      if (!n || *n > 1000) return const_cast<char*>("db= must be 0-1000");
      store->session.database = static_cast<int>(*n);
    } else if (starts_with(arg, "username=")) {
      store->session.username = std::string(arg.substr(9));
    } else if (starts_with(arg, "password=")) {
      if (!resolve_secret(cf, arg.substr(9), store->session.password)) {
        return static_cast<char*>(NGX_CONF_ERROR);
      }
    } else if (starts_with(arg, "prefix=")) {
      store->prefix = std::string(arg.substr(7));
    } else if (starts_with(arg, "timeout=")) {
      ngx_msec_t ms = ngx_parse_time(&value, 0);
      if (ms == static_cast<ngx_msec_t>(NGX_ERROR) || ms == 0) {
        return const_cast<char*>("timeout= must be a time such as 500ms");
      }
      store->timeout = ms;
    } else {
      // Never echoed: the argument may hold a password.
      return const_cast<char*>("has an unknown argument");
    }
  }
  out = store;
  return NGX_CONF_OK;
}

}  // namespace vgw::ngx
