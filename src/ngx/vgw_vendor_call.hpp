#pragma once

#include "ngx_headers.hpp"

#include <memory>
#include <string>

#include "net/http_response_reader.hpp"

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
  bool tls = false;      // https://: TLS before the request is written
  std::string tls_name;  // SNI and the name the certificate must carry
};

// Starts the call in ctx->call; false when it could not even start (the
// caller answers with an error). On completion the reply is handed to the
// core as a subrequest's would be (`on_done`).
bool start_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                       void (*on_done)(ngx_http_request_t*));
// The call's connection, while one is open (the deadline times it out).
ngx_connection_t* vendor_call_connection(RequestCtx* ctx);
// The request ends with the call in flight: its connection is closed.
void abandon_vendor_call(RequestCtx* ctx);

}  // namespace vgw::ngx
