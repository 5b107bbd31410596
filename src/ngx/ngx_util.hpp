#pragma once

#include "ngx_headers.hpp"

#include <exception>
#include <string>
#include <string_view>

namespace vgw::ngx {

inline std::string_view view(const ngx_str_t& s) {
  return {reinterpret_cast<const char*>(s.data), s.len};
}

inline std::string to_string(const ngx_str_t& s) {
  return std::string(view(s));
}

// Copies into the request pool; nginx keeps pointers to header and variable
// values after our C++ objects may be gone.
inline bool pool_copy(ngx_pool_t* pool, std::string_view from, ngx_str_t& to) {
  to.len = from.size();
  if (from.empty()) {
    to.data = nullptr;
    return true;
  }
  to.data = static_cast<u_char*>(ngx_pnalloc(pool, from.size()));
  if (to.data == nullptr) return false;
  ngx_memcpy(to.data, from.data(), from.size());
  return true;
}

// Appends a buffer viewing `bytes` (which must outlive the chain) at
// `*tail` and moves `tail` past it; the buffer, or nullptr when the pool is
// out of memory.
inline ngx_buf_t* append_memory_buf(ngx_pool_t* pool, ngx_chain_t**& tail,
                                    std::string_view bytes) {
  auto* b = static_cast<ngx_buf_t*>(ngx_calloc_buf(pool));
  ngx_chain_t* cl = ngx_alloc_chain_link(pool);
  if (b == nullptr || cl == nullptr) return nullptr;
  b->pos = reinterpret_cast<u_char*>(const_cast<char*>(bytes.data()));
  b->last = b->pos + bytes.size();
  b->start = b->pos;
  b->end = b->last;
  b->memory = 1;
  cl->buf = b;
  cl->next = nullptr;
  *tail = cl;
  tail = &cl->next;
  return b;
}

// Calls `fn(ngx_table_elt_t&)` for every header of an nginx header list.
template <class F>
void for_each_header(ngx_list_t& list, F&& fn) {
  for (ngx_list_part_t* part = &list.part; part; part = part->next) {
    auto* h = static_cast<ngx_table_elt_t*>(part->elts);
    for (ngx_uint_t i = 0; i < part->nelts; ++i) fn(h[i]);
  }
}

// Runs `body` and turns any C++ exception into `fallback`: exceptions must
// never unwind through nginx's C frames.
template <class F, class R>
R guarded(ngx_log_t* log, R fallback, F&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    ngx_log_error(NGX_LOG_ERR, log, 0, "vgw: %s", e.what());
  } catch (...) {
    ngx_log_error(NGX_LOG_ERR, log, 0, "vgw: unknown exception");
  }
  return fallback;
}

}  // namespace vgw::ngx
