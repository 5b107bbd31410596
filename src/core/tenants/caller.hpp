#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/api_error.hpp"
#include "tenants/tenant_directory.hpp"

namespace vgw {

// Who is calling, known before anything else about the request: nginx's
// preaccess phase reads it ($vgw_tenant, for limit_req), the API answers
// its refusal, and ids are bound to it.
struct Caller {
  std::string tenant;               // empty: no tenants configured
  const Tenant* entry = nullptr;    // its keys-file entry, if it has one
  std::optional<ApiError> refusal;  // 401 or 403, answered for every route

  // What ids are bound to: the tenant, not the key it used, so a tenant
  // rotates keys and keeps its videos.
  std::string binding() const { return "tenant:" + tenant; }
};

// `keys`: the keys file, or nullptr. `external`: the tenant name an
// external check left in a variable (vgw_tenant), or nullptr when callers
// are told apart by their keys. Both null: no tenants, nothing refused.
Caller identify_caller(const TenantDirectory* keys,
                       const std::string_view* external,
                       std::string_view authorization);

// 403 when the tenant may not create with `model`.
std::optional<ApiError> refuse_model(const Caller& caller,
                                     std::string_view model);

// An API key as an error message may show it: its first and last few
// characters around asterisks, never enough to use.
std::string masked_key(std::string_view key);

}  // namespace vgw
