#pragma once

#include "ngx_headers.hpp"

#include <memory>
#include <string>
#include <string_view>

#include "gateway.hpp"

extern "C" {
extern ngx_module_t ngx_http_vgw_module;
}

namespace vgw::ngx {

struct RedisStore;

// http{} level: the compiled gateway (vendors, id keys). Built while nginx
// parses its configuration in the master and inherited by workers on fork.
struct MainConf {
  Gateway* gateway = nullptr;
  ngx_int_t request_id_index = NGX_ERROR;
  // TLS of the module's own vendor connections (vgw_direct_calls): one
  // client context, its trusted CAs read when the configuration loads.
  ngx_ssl_t* call_ssl = nullptr;
  ngx_str_t call_trusted_certificate = ngx_null_string;
  ngx_flag_t call_ssl_verify = NGX_CONF_UNSET;
  // The embedded store's shared-memory zone (vgw_store.hpp) and its size
  // (vgw_store_size).
  ngx_shm_zone_t* store = nullptr;
  size_t store_size = NGX_CONF_UNSET_SIZE;
  // vgw_store_file: where the zone is kept while nginx is stopped.
  ngx_str_t store_file = ngx_null_string;
  // vgw_store_redis: the store is Redis instead (vgw_store_redis.hpp).
  RedisStore* redis = nullptr;
};

struct LocConf {
  ngx_flag_t api = NGX_CONF_UNSET;
  ngx_str_t call_location = ngx_null_string;
  // vgw_call_location was written for this location or one it inherits
  // from: its calls go there even where vgw_direct_calls is on.
  ngx_flag_t call_location_explicit = 0;
  ngx_str_t media_location = ngx_null_string;
  ngx_http_complex_value_t* binding = nullptr;  // nullptr: not bound
  ngx_flag_t binding_set = 0;
  ngx_flag_t binding_off = 0;
  // No vgw_id_binding anywhere above: with tenants, ids bind to the tenant.
  ngx_flag_t binding_default = 0;
  // vgw_tenant: the tenant as an external check names it (nullptr: from
  // the client's API key, when there is a keys file).
  ngx_http_complex_value_t* tenant = nullptr;
  // Absolute base of this gateway's own URLs (content links in videos);
  // default $scheme://$http_host.
  ngx_http_complex_value_t* public_url = nullptr;
  // /v1/video/generations status words: 1 = OpenAI's, 0 = the relay
  // seed's (processing/succeeded/failed).
  ngx_flag_t unified_openai_words = NGX_CONF_UNSET;
  // Largest body without Content-Length (chunked) held in memory; 0: up to
  // client_max_body_size. Unset: an eighth of that, at least 1 MiB.
  size_t chunked_body_max = NGX_CONF_UNSET_SIZE;
  // Vendor calls on the module's own connections (1, the default) or as
  // subrequests to call_location (0; also where a call location is set
  // explicitly, or the vendor host is a name without an upstream block).
  ngx_flag_t direct_calls = NGX_CONF_UNSET;
  size_t call_max_reply = NGX_CONF_UNSET_SIZE;
  ngx_msec_t call_connect_timeout = NGX_CONF_UNSET_MSEC;
  ngx_msec_t call_timeout = NGX_CONF_UNSET_MSEC;
};

MainConf* main_conf(ngx_http_request_t* r);
LocConf* loc_conf(ngx_http_request_t* r);

// The caller of the main request (see tenants/caller.hpp), or nullptr when
// neither a keys file nor vgw_tenant applies. Known from the rewrite phase
// on: limit_req in preaccess reads it as $vgw_tenant.
const Caller* request_caller(ngx_http_request_t* r);

// Registration hooks implemented by the handler and filter files.
// A secret written in nginx.conf inline, as env:NAME or as file:/path.
bool resolve_secret(ngx_conf_t* cf, std::string_view value, std::string& out);

ngx_int_t install_filters(ngx_conf_t* cf);
ngx_int_t install_request_log(ngx_conf_t* cf);
ngx_int_t add_variables(ngx_conf_t* cf);
ngx_int_t content_handler(ngx_http_request_t* r) noexcept;

}  // namespace vgw::ngx
