#include "tenants/caller.hpp"

#include "util/strings.hpp"

namespace vgw {
namespace {

ApiError unauthenticated(std::string message) {
  ApiError e =
      invalid_request(std::move(message), std::nullopt, "invalid_api_key");
  e.status = 401;
  return e;
}

ApiError forbidden(std::string message, const char* code) {
  ApiError e = invalid_request(std::move(message), std::nullopt, code);
  e.status = 403;
  e.type = "permission_error";
  return e;
}

// The token of "Bearer <token>" (the scheme in any case, spaces around the
// token ignored); nullopt for any other scheme or none.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  std::string_view value = trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      to_lower(value.substr(0, kScheme.size())) != kScheme) {
    return std::nullopt;
  }
  std::string_view token = trim(value.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

std::string masked_key(std::string_view key) {
  if (key.size() < 12) return std::string(key.size() < 4 ? 4 : key.size(), '*');
  std::string out(key.substr(0, 3));
  out.append(key.size() - 7, '*');
  out.append(key.substr(key.size() - 4));
  if (has_control_chars(out)) return std::string(key.size(), '*');
  return out;
}

Caller identify_caller(const TenantDirectory* keys,
                       const std::string_view* external,
                       std::string_view authorization) {
  Caller caller;
  if (external != nullptr) {
    std::string_view name = trim(*external);
    if (name.empty()) {
      caller.refusal = unauthenticated(
          "The request was not authenticated: the gateway's authentication "
          "check named no tenant for it.");
      return caller;
    }
    caller.tenant = std::string(name.substr(0, 256));
    caller.entry = keys ? keys->find_by_name(caller.tenant) : nullptr;
  } else if (keys != nullptr) {
    auto token = bearer_token(authorization);
    if (!token) {
      caller.refusal = unauthenticated(
          "You didn't provide an API key. You need to provide your API key in "
          "an Authorization header using Bearer auth (i.e. Authorization: "
          "Bearer YOUR_KEY).");
      return caller;
    }
    caller.entry = keys->find_by_key(*token);
    if (caller.entry == nullptr) {
      caller.refusal = unauthenticated("Incorrect API key provided: " +
                                       masked_key(token->substr(0, 512)) + ".");
      return caller;
    }
    caller.tenant = caller.entry->name;
  } else {
    return caller;
  }
  if (caller.entry && caller.entry->disabled) {
    caller.refusal =
        forbidden("Tenant '" + caller.tenant +
                      "' is disabled on this gateway; ask its operator.",
                  "tenant_disabled");
  }
  return caller;
}

std::optional<ApiError> refuse_model(const Caller& caller,
                                     std::string_view model) {
  if (caller.entry == nullptr || caller.entry->may_use(model)) {
    return std::nullopt;
  }
  ApiError e =
      forbidden("Tenant '" + caller.tenant + "' may not use the model '" +
                    std::string(model.substr(0, 200)) + "'.",
                "model_not_allowed");
  e.param = "model";
  return e;
}

}  // namespace vgw
