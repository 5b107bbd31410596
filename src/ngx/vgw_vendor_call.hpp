#pragma once

#include "ngx_headers.hpp"

#include "util/strings.hpp"

namespace vgw::ngx {

struct RequestCtx;

enum class DirectCall { ready, unreachable, failed };

// Gets the call in ctx->call ready to run on the module's own connection
// (ctx->vendor, a PeerExchange): its request bytes and its peer, from the
// upstream{} block `url` names or the address it holds. `unreachable`: a
// host name without a block (the call location, whose proxy resolves
// names, takes the call); `failed`: it cannot be made.
DirectCall prepare_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                               const UrlParts& url);
// Connects and runs the prepared call. On completion ctx->reply holds the
// vendor's reply, as a subrequest's would, and `on_done(r)` continues.
void run_vendor_call(ngx_http_request_t* r, RequestCtx* ctx,
                     void (*on_done)(ngx_http_request_t*));

}  // namespace vgw::ngx
