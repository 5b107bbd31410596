#pragma once

#include "ngx_headers.hpp"

#include <memory>
#include <string>

#include "net/http_response_reader.hpp"
#include "util/strings.hpp"

namespace vgw::ngx {

struct RequestCtx;

// A vendor call made by the module itself on a connection of an upstream{}
// block (its balancer and keepalive cache) or to a literal address, in the
// client's own request: no subrequest, no proxy location.
struct VendorCall {
  ngx_http_upstream_t* peer_holder = nullptr;  // peer state and keepalive flags
  ngx_chain_t* unsent = nullptr;
  std::string head;
  std::unique_ptr<HttpResponseReader> reader;
  ngx_buf_t* input = nullptr;
  bool extra_bytes = false;  // the vendor sent more than one response
  bool failed = false;       // connection error: never kept alive
  bool finished = false;
  void (*on_done)(ngx_http_request_t*) = nullptr;  // hands the reply on
  bool tls = false;      // https://: TLS before the request is written
  std::string tls_name;  // SNI and the name the certificate must carry
};

enum class DirectCall { ready, unreachable, failed };

// Gets the call in ctx->call ready to run directly: its request bytes and
// its peer, from the upstream{} block `url` names or the address it holds.
// `unreachable`: a host name without a block (the call location, whose
// proxy resolves names, takes the call); `failed`: it cannot be made.
DirectCall prepare_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                               const UrlParts& url);
// Connects and runs the prepared call. On completion ctx->reply holds the
// vendor's reply, as a subrequest's would, and `on_done(r)` continues.
void run_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                     void (*on_done)(ngx_http_request_t*));
// The call's connection, while one is open (the deadline times it out).
ngx_connection_t* vendor_call_connection(RequestCtx* ctx);
// The request ends with the call in flight: its connection is closed.
void abandon_vendor_call(RequestCtx* ctx);

}  // namespace vgw::ngx
