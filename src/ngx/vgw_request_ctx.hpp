#pragma once

#include "ngx_headers.hpp"

#include <memory>
#include <optional>
#include <string>

#include "http_types.hpp"
#include "tenants/caller.hpp"
#include "translate/operation.hpp"
#include "util/byte_buffer.hpp"
#include "vgw_peer_exchange.hpp"
#include "vgw_store_redis.hpp"

namespace vgw::ngx {

// Per-request state. It lives in the request pool (placement-new into a pool
// cleanup whose handler runs the destructor), so it is freed with the
// request and can be found again after an internal redirect, which wipes
// r->ctx (the same trick as nginx's realip module).
struct RequestCtx {
  ByteBuffer body;  // request body captured by the body filter
  bool capturing = false;
  // A body without Content-Length outgrew LocConf::chunked_body_max: the
  // rest is not held and the request is answered 411.
  bool body_overflow = false;
  size_t body_limit = 0;
  std::unique_ptr<Operation> op;
  // Identified once per request from the API key; a name from vgw_tenant is
  // read again until the content phase (auth_request sets it in access).
  std::optional<Caller> caller;
  std::string binding;
  std::string public_url;
  std::string usage_line;  // $vgw_usage, built on first use

  // The vendor call in flight (the subrequest reads these through the
  // $vgw_upstream_* variables and its request body).
  UpstreamCall call;
  ngx_http_request_t* call_sr = nullptr;  // through the call location
  PeerExchange vendor;                    // or on the module's own connection
  std::string vendor_head;                // its request head
  void (*vendor_done)(ngx_http_request_t*) = nullptr;
  bool call_done = false;
  UpstreamReply reply;
  // The call's reply body, collected by the body filter up to the call
  // location's subrequest_output_buffer_size (see collect_call_reply).
  std::string reply_bytes;
  bool reply_overflow = false;
  bool reply_complete = false;  // the upstream passed its last buffer
  std::string reply_storage;    // a decoded (gunzipped) reply body

  // A command to the Redis store in flight.
  StoreCall store_call;
  // A Step::wait in progress.
  ngx_event_t wait_timer{};

  // A total time limit on the call (UpstreamCall::deadline_seconds).
  ngx_event_t deadline{};
  bool deadline_hit = false;

  // A client-supplied host name being looked up.
  ngx_resolver_ctx_t* resolving = nullptr;

  // Result download handed to the media location.
  MediaFetch media;
  bool streaming = false;
  std::string media_redirect;  // allowed target of a CDN redirect

  // Output control for the response filters.
  bool own_response = false;
  ngx_str_t replacement = ngx_null_string;  // error envelope to send instead
  bool replacement_sent = false;
};

// Finds (or with `create`, makes) the context of a main request.
RequestCtx* request_ctx(ngx_http_request_t* r, bool create);

}  // namespace vgw::ngx
