#pragma once

#include "ngx_headers.hpp"

#include "api/api_error.hpp"
#include "http_types.hpp"
#include "vgw_request_ctx.hpp"

namespace vgw::ngx {

// Sends a complete JSON response built by the core; returns the code for
// ngx_http_finalize_request().
ngx_int_t send_response(ngx_http_request_t* r, RequestCtx* ctx,
                        const HttpResponse& response);
ngx_int_t send_error(ngx_http_request_t* r, RequestCtx* ctx, const ApiError& e);
// A failure of the gateway itself (an exception, no memory), answered
// without throwing. After a create call that may have reached the vendor it
// is not retryable: the task may exist.
ngx_int_t send_internal_error(ngx_http_request_t* r, RequestCtx* ctx,
                              const char* message) noexcept;

// Adds `x-request-id: $request_id` so clients can quote it (the SDKs expose
// it as err.requestID / _request_id).
bool add_request_id(ngx_http_request_t* r);
bool add_header(ngx_http_request_t* r, std::string_view name,
                std::string_view value);

}  // namespace vgw::ngx
