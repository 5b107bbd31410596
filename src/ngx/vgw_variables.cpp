#include "vgw_module.hpp"
#include "vgw_request_ctx.hpp"

#include <string>

#include "ngx_util.hpp"
#include "translate/usage_record.hpp"

namespace vgw::ngx {
namespace {

enum class Field {
  upstream_url,
  upstream_host,
  upstream_name,
  media_url,
  media_redirect_url,
  vendor,
  model,
  task_id,
  video_id,
  account,
  operation,
  outcome,
  usage,
};

// Read in the redirect location's rewrite phase (`set`), while r->upstream
// is still the media fetch that answered 3xx: proxy_pass replaces it later.
const std::string* redirect_url(ngx_http_request_t* r, RequestCtx& ctx) {
  if (!ctx.streaming || !ctx.op || r->upstream == nullptr ||
      r->upstream->headers_in.location == nullptr) {
    return nullptr;
  }
  auto target =
      ctx.op->redirect_target(view(r->upstream->headers_in.location->value));
  if (!target) return nullptr;
  ctx.media_redirect = std::move(*target);
  return &ctx.media_redirect;
}

const std::string* field_value(ngx_http_request_t* r, RequestCtx& ctx,
                               Field f) {
  switch (f) {
    case Field::media_redirect_url:
      return redirect_url(r, ctx);
    case Field::upstream_url:
      return &ctx.call.url;
    case Field::upstream_host:
      return &ctx.call.host;
    case Field::upstream_name:
      return &ctx.call.server_name;
    case Field::media_url:
      return &ctx.media.url;
    default:
      break;
  }
  if (!ctx.op) return nullptr;
  const RequestFacts& facts = ctx.op->facts();
  switch (f) {
    case Field::vendor:
      return &facts.vendor;
    case Field::account:
      return &facts.account;
    case Field::model:
      return &facts.model;
    case Field::task_id:
      return &facts.task_id;
    case Field::video_id:
      return &facts.video_id;
    case Field::operation:
      return &facts.operation;
    case Field::outcome:
      return &facts.outcome;
    case Field::usage:
      // Written only when a log asks for it.
      if (ctx.usage_line.empty()) ctx.usage_line = usage_line(facts);
      return &ctx.usage_line;
    default:
      return nullptr;
  }
}

// $vgw_tenant: asked for before the API's content phase (limit_req_zone in
// preaccess), so the caller is identified on first use.
ngx_int_t get_tenant(ngx_http_request_t* r, ngx_http_variable_value_t* v,
                     uintptr_t) noexcept {
  v->not_found = 1;
  const Caller* caller =
      guarded(r->connection->log, static_cast<const Caller*>(nullptr),
              [&]() { return request_caller(r); });
  if (caller == nullptr || caller->tenant.empty() || caller->refusal) {
    return NGX_OK;
  }
  v->data = reinterpret_cast<u_char*>(const_cast<char*>(caller->tenant.data()));
  v->len = caller->tenant.size();
  v->valid = 1;
  v->no_cacheable = 1;
  v->not_found = 0;
  return NGX_OK;
}

// Values come from the main request's context, so they are the same in the
// vendor subrequest, after the media redirect and in the access log.
ngx_int_t get_variable(ngx_http_request_t* r, ngx_http_variable_value_t* v,
                       uintptr_t data) noexcept {
  v->not_found = 1;
  RequestCtx* ctx = request_ctx(r->main, false);
  if (ctx == nullptr) return NGX_OK;
  const std::string* value =
      guarded(r->connection->log, static_cast<const std::string*>(nullptr),
              [&]() { return field_value(r, *ctx, static_cast<Field>(data)); });
  if (value == nullptr || value->empty()) return NGX_OK;
  v->data = reinterpret_cast<u_char*>(const_cast<char*>(value->data()));
  v->len = value->size();
  v->valid = 1;
  v->no_cacheable = 1;
  v->not_found = 0;
  return NGX_OK;
}

struct VariableSpec {
  const char* name;
  Field field;
};

constexpr VariableSpec kVariables[] = {
    {"vgw_upstream_url", Field::upstream_url},
    {"vgw_upstream_host", Field::upstream_host},
    {"vgw_upstream_name", Field::upstream_name},
    {"vgw_media_url", Field::media_url},
    {"vgw_media_redirect_url", Field::media_redirect_url},
    {"vgw_vendor", Field::vendor},
    {"vgw_account", Field::account},
    {"vgw_model", Field::model},
    {"vgw_task_id", Field::task_id},
    {"vgw_video_id", Field::video_id},
    {"vgw_operation", Field::operation},
    {"vgw_outcome", Field::outcome},
    {"vgw_usage", Field::usage},
};

}  // namespace

ngx_int_t add_variables(ngx_conf_t* cf) {
  for (const auto& spec : kVariables) {
    ngx_str_t name;
    name.data = reinterpret_cast<u_char*>(const_cast<char*>(spec.name));
    name.len = ngx_strlen(spec.name);
    ngx_http_variable_t* var =
        ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == nullptr) return NGX_ERROR;
    var->get_handler = get_variable;
    var->data = static_cast<uintptr_t>(spec.field);
  }
  static ngx_str_t tenant = ngx_string("vgw_tenant");
  ngx_http_variable_t* var =
      ngx_http_add_variable(cf, &tenant, NGX_HTTP_VAR_NOCACHEABLE);
  if (var == nullptr) return NGX_ERROR;
  var->get_handler = get_tenant;
  return NGX_OK;
}

}  // namespace vgw::ngx
