#include "vgw_request_id.hpp"

#include <cstring>
#include <optional>

#include "crypto/crypto.hpp"
#include "ids/request_id.hpp"
#include "ngx_util.hpp"
#include "vgw_module.hpp"

namespace vgw::ngx {
namespace {

// Per worker process: each is seeded after the fork.
std::optional<RequestIdGenerator> generator;

}  // namespace

ngx_int_t seed_request_ids(ngx_cycle_t* cycle) noexcept {
  return guarded(cycle->log, static_cast<ngx_int_t>(NGX_ERROR), [&]() {
    std::string bytes = crypto::random_bytes(16);
    uint64_t seed[2];
    std::memcpy(seed, bytes.data(), sizeof(seed));
    generator.emplace(seed[0], seed[1]);
    return static_cast<ngx_int_t>(NGX_OK);
  });
}

ngx_http_variable_value_t* request_id(ngx_http_request_t* r) noexcept {
  ngx_http_request_t* main = r->main;
  ngx_int_t index = main_conf(main)->request_id_index;
  if (index == NGX_ERROR) return nullptr;
  ngx_http_variable_value_t* v = &main->variables[index];
  if (!v->valid && !v->not_found && generator) {
    auto* data = static_cast<u_char*>(
        ngx_pnalloc(main->pool, RequestIdGenerator::kLength));
    if (data == nullptr) return nullptr;
    generator->next(reinterpret_cast<char*>(data));
    v->data = data;
    v->len = RequestIdGenerator::kLength;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->escape = 0;
    return v;
  }
  // Before a worker is seeded (never at request time) nginx makes it.
  return ngx_http_get_indexed_variable(main, static_cast<ngx_uint_t>(index));
}

}  // namespace vgw::ngx
