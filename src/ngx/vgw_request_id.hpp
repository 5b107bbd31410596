#pragma once

#include "ngx_headers.hpp"

namespace vgw::ngx {

// Seeds this worker's request ids from OpenSSL's DRBG (init_process).
ngx_int_t seed_request_ids(ngx_cycle_t* cycle) noexcept;

// $request_id of r's main request, made by the module on first use and
// stored where nginx caches the variable, so access logs that print
// $request_id show the id the client was given. nullptr: no memory.
ngx_http_variable_value_t* request_id(ngx_http_request_t* r) noexcept;

}  // namespace vgw::ngx
