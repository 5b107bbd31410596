#include "vgw_vendor_call.hpp"

#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include <algorithm>

#include "net/http_request_writer.hpp"
#include "net/http_response_reader.hpp"
#include "ngx_util.hpp"
#include "translate/reply_encoding.hpp"

// A vendor call made by the module itself, in the client's own request: no
// subrequest, no proxy location. The exchange (vgw_peer_exchange) carries
// the bytes; this file writes the HTTP request and turns the response into
// the UpstreamReply a subrequest would have given.

namespace vgw::ngx {
namespace {

class HttpFeed final : public ReplyFeed {
 public:
  explicit HttpFeed(size_t max_reply) : reader(max_reply) {}
  size_t feed(std::string_view bytes) override { return reader.feed(bytes); }
  bool done() const override { return reader.done(); }
  bool failed() const override {
    return reader.done() &&
           reader.state() != HttpResponseReader::State::complete;
  }
  void end_of_input() override { reader.end_of_input(); }
  bool reusable() const override { return reader.reusable(); }
  HttpResponseReader reader;
};

void call_finished(PeerExchange& x) {
  ngx_http_request_t* r = x.request;
  RequestCtx* ctx = request_ctx(r, false);
  if (ctx == nullptr) return;
  if (ctx->deadline.timer_set) ngx_del_timer(&ctx->deadline);
  UpstreamReply& reply = ctx->reply;
  reply = UpstreamReply{};
  reply.request_sent = x.request_sent;
  HttpResponseReader& reader = static_cast<HttpFeed&>(*x.feed).reader;
  if (x.timed_out || ctx->deadline_hit) {
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
  reply.body = reader.body();
  if (reply.status != 0 && !reply.too_large && !reply.truncated) {
    size_t limit =
        4 * std::max<size_t>(loc_conf(r)->call_max_reply, 256 * 1024);
    decode_reply_in_place(reply, ctx->reply_storage, limit);
  }
  ctx->call_done = true;
  ctx->vendor_done(r);
}

bool build_output(PeerExchange& x, const UpstreamCall& call,
                  const std::string& head) {
  bool ok = queue_output(x, head, false);
  call.for_each_body_piece([&](std::string_view piece) {
    ok = ok && queue_output(x, piece, false);
  });
  return ok && queue_output(x, {}, true);
}

}  // namespace

DirectCall prepare_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                               const UrlParts& url) {
  PeerExchange& x = ctx->vendor;
  x = PeerExchange{};
  x.kind = "vendor";
  const UpstreamCall& call = ctx->call;
  ngx_http_upstream_srv_conf_t* block =
      url.authority == url.host ? find_upstream_block(r, url.host) : nullptr;
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
  x.tls = url.scheme == "https";
  x.tls_name = call.server_name.empty() ? url.host : call.server_name;
  if (!x.tls_name.empty() && x.tls_name.front() == '[') {
    x.tls_name = x.tls_name.substr(1, x.tls_name.size() - 2);
  }
  if (!write_request_head(call, target, host, ctx->vendor_head)) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vgw: the vendor call has a header or target that would "
                  "split the request");
    return DirectCall::failed;
  }
  LocConf* lcf = loc_conf(r);
  x.feed = std::make_unique<HttpFeed>(lcf->call_max_reply);
  x.connect_timeout = lcf->call_connect_timeout;
  x.timeout = lcf->call_timeout;
  x.on_done = call_finished;
  if (!init_exchange(r, x, block, block ? nullptr : &address) ||
      !build_output(x, call, ctx->vendor_head)) {
    return DirectCall::failed;
  }
  return DirectCall::ready;
}

void run_vendor_call(ngx_http_request_t*, RequestCtx* ctx,
                     void (*on_done)(ngx_http_request_t*)) {
  ctx->vendor_done = on_done;
  ctx->call_done = false;
  run_exchange(ctx->vendor);
}

}  // namespace vgw::ngx
