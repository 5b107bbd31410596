#include "vgw_module.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ngx_util.hpp"
#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"
#include "util/strings.hpp"
#include "vgw_request_id.hpp"
#include "vgw_store.hpp"
#include "vgw_store_redis.hpp"

namespace vgw::ngx {

// Secrets in nginx.conf may be written inline, as env:NAME (read once here,
// in the master, while the configuration loads) or as file:/path.
bool resolve_secret(ngx_conf_t* cf, std::string_view value, std::string& out) {
  if (value.substr(0, 4) == "env:") {
    std::string name(value.substr(4));
    const char* v = std::getenv(name.c_str());
    out = v ? v : "";
    return true;
  }
  if (value.substr(0, 5) == "file:") {
    ngx_str_t path;
    path.len = value.size() - 5;
    path.data = reinterpret_cast<u_char*>(const_cast<char*>(value.data() + 5));
    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) return false;
    std::ifstream in(to_string(path), std::ios::binary);
    if (!in) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "vgw: cannot read secret file \"%V\"", &path);
      return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
      out.pop_back();
    return true;
  }
  out = std::string(value);
  return true;
}

namespace {

void destroy_gateway(void* data) noexcept {
  static_cast<Gateway*>(data)->~Gateway();
}

ngx_http_complex_value_t* compile_complex(ngx_conf_t* cf, ngx_str_t* value) {
  auto* cv = static_cast<ngx_http_complex_value_t*>(
      ngx_pcalloc(cf->pool, sizeof(ngx_http_complex_value_t)));
  if (cv == nullptr) return nullptr;
  ngx_http_compile_complex_value_t ccv;
  ngx_memzero(&ccv, sizeof(ccv));
  ccv.cf = cf;
  ccv.value = value;
  ccv.complex_value = cv;
  return ngx_http_compile_complex_value(&ccv) == NGX_OK ? cv : nullptr;
}

void* create_main_conf(ngx_conf_t* cf) noexcept {
  return guarded(cf->log, static_cast<void*>(nullptr), [&]() -> void* {
    auto* mcf = static_cast<MainConf*>(ngx_pcalloc(cf->pool, sizeof(MainConf)));
    if (mcf == nullptr) return nullptr;
    mcf->request_id_index = NGX_ERROR;
    mcf->call_ssl_verify = NGX_CONF_UNSET;
    mcf->store_size = NGX_CONF_UNSET_SIZE;
    // The gateway dies with the configuration cycle's pool, so a reload
    // frees the old one once the old workers are gone.
    ngx_pool_cleanup_t* cln = ngx_pool_cleanup_add(cf->pool, sizeof(Gateway));
    if (cln == nullptr) return nullptr;
    mcf->gateway = new (cln->data) Gateway();
    cln->handler = destroy_gateway;
    return mcf;
  });
}

// The client TLS context of direct vendor calls: TLS 1.2 and 1.3, sessions
// kept for reuse by the upstream blocks' peers, and the trusted CAs (by
// default the system bundle, when it exists).
bool create_call_ssl(ngx_conf_t* cf, MainConf* mcf) {
  ngx_conf_init_value(mcf->call_ssl_verify, 1);
  bool explicit_file = mcf->call_trusted_certificate.data != nullptr;
  if (!explicit_file) {
    static ngx_str_t system_bundle =
        ngx_string("/etc/ssl/certs/ca-certificates.crt");
    ngx_file_info_t info;
    if (ngx_file_info(system_bundle.data, &info) != NGX_FILE_ERROR) {
      mcf->call_trusted_certificate = system_bundle;
    }
  }
  auto* ssl = static_cast<ngx_ssl_t*>(ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t)));
  if (ssl == nullptr) return false;
  ssl->log = cf->log;
  if (ngx_ssl_create(ssl, NGX_SSL_TLSv1_2 | NGX_SSL_TLSv1_3, nullptr) !=
      NGX_OK) {
    return false;
  }
  ngx_pool_cleanup_t* cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (cln == nullptr) {
    ngx_ssl_cleanup_ctx(ssl);
    return false;
  }
  cln->handler = ngx_ssl_cleanup_ctx;
  cln->data = ssl;
  if (ngx_ssl_client_session_cache(cf, ssl, 1) != NGX_OK) return false;
  if (mcf->call_ssl_verify == 1 && mcf->call_trusted_certificate.len > 0 &&
      ngx_ssl_trusted_certificate(cf, ssl, &mcf->call_trusted_certificate, 4) !=
          NGX_OK) {
    return false;
  }
  mcf->call_ssl = ssl;
  return true;
}

char* init_main_conf(ngx_conf_t* cf, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  if (!create_call_ssl(cf, mcf)) return static_cast<char*>(NGX_CONF_ERROR);
  if (mcf->store_file.len != 0 && mcf->redis != nullptr) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "vgw: vgw_store_file keeps the embedded store; with "
                       "vgw_store_redis, Redis keeps its own");
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  // Only a configuration that serves the API has a store: loading the
  // module alone maps no shared memory.
  if (!mcf->gateway->vendors().empty() && mcf->redis == nullptr &&
      add_store_zone(cf, mcf) != NGX_OK) {
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    try {
      mcf->gateway->finalize();
    } catch (const std::invalid_argument& e) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s", e.what());
      return static_cast<char*>(NGX_CONF_ERROR);
    }
    return NGX_CONF_OK;
  });
}

void* create_loc_conf(ngx_conf_t* cf) noexcept {
  auto* lcf = static_cast<LocConf*>(ngx_pcalloc(cf->pool, sizeof(LocConf)));
  if (lcf == nullptr) return nullptr;
  lcf->api = NGX_CONF_UNSET;
  lcf->unified_openai_words = NGX_CONF_UNSET;
  lcf->chunked_body_max = NGX_CONF_UNSET_SIZE;
  lcf->direct_calls = NGX_CONF_UNSET;
  lcf->call_max_reply = NGX_CONF_UNSET_SIZE;
  lcf->call_connect_timeout = NGX_CONF_UNSET_MSEC;
  lcf->call_timeout = NGX_CONF_UNSET_MSEC;
  return lcf;
}

char* merge_loc_conf(ngx_conf_t* cf, void* parent, void* child) noexcept {
  auto* prev = static_cast<LocConf*>(parent);
  auto* conf = static_cast<LocConf*>(child);
  // `vgw_api` marks one location; it is deliberately not inherited so the
  // internal call/media locations nested under it never loop back.
  if (conf->api == NGX_CONF_UNSET) conf->api = 0;
  conf->call_location_explicit =
      conf->call_location.data != nullptr || prev->call_location_explicit;
  ngx_conf_merge_str_value(conf->call_location, prev->call_location,
                           "/_vgw/call");
  ngx_conf_merge_str_value(conf->media_location, prev->media_location,
                           "/_vgw/media");
  if (!conf->binding_set && !conf->binding_off) {
    conf->binding = prev->binding;
    conf->binding_off = prev->binding_off;
    conf->binding_set = prev->binding_set;
    conf->binding_default = prev->binding_default;
  }
  if (!conf->binding_set && !conf->binding_off) {
    // Default: ids are bound to the caller's Authorization header (to the
    // tenant, where there are tenants).
    static ngx_str_t default_binding = ngx_string("$http_authorization");
    conf->binding = compile_complex(cf, &default_binding);
    if (conf->binding == nullptr) return static_cast<char*>(NGX_CONF_ERROR);
    conf->binding_set = 1;
    conf->binding_default = 1;
  }
  if (conf->tenant == nullptr) conf->tenant = prev->tenant;
  if (conf->public_url == nullptr) conf->public_url = prev->public_url;
  if (conf->public_url == nullptr) {
    static ngx_str_t default_public = ngx_string("$scheme://$http_host");
    conf->public_url = compile_complex(cf, &default_public);
    if (conf->public_url == nullptr) return static_cast<char*>(NGX_CONF_ERROR);
  }
  if (conf->chunked_body_max == NGX_CONF_UNSET_SIZE) {
    conf->chunked_body_max = prev->chunked_body_max;
  }
  ngx_conf_merge_value(conf->unified_openai_words, prev->unified_openai_words,
                       0);
  ngx_conf_merge_value(conf->direct_calls, prev->direct_calls, 1);
  ngx_conf_merge_size_value(conf->call_max_reply, prev->call_max_reply,
                            2 * 1024 * 1024);
  ngx_conf_merge_msec_value(conf->call_connect_timeout,
                            prev->call_connect_timeout, 5000);
  ngx_conf_merge_msec_value(conf->call_timeout, prev->call_timeout, 30000);
  return NGX_CONF_OK;
}

// A bad rules or keys file, as nginx -t reports it: file:line: what.
char* rule_error(ngx_conf_t* cf, const std::string& file, const RuleError& e) {
  if (e.line() > 0) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s:%d: %s", file.c_str(),
                       e.line(), e.what());
  } else {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s: %s", file.c_str(),
                       e.what());
  }
  return static_cast<char*>(NGX_CONF_ERROR);
}

char* load_vendor(ngx_conf_t* cf, MainConf* mcf, const std::string& file) {
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  try {
    VendorRules rules = load_vendor_rules(file);
    VendorSettings settings;
    for (ngx_uint_t i = 2; i < cf->args->nelts; ++i) {
      std::string_view arg = view(args[i]);
      auto eq = arg.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "vgw: expected name=value, got \"%V\"", &args[i]);
        return static_cast<char*>(NGX_CONF_ERROR);
      }
      std::string name(arg.substr(0, eq));
      std::string value;
      if (!resolve_secret(cf, arg.substr(eq + 1), value)) {
        return static_cast<char*>(NGX_CONF_ERROR);
      }
      if (name == "base_url") {
        settings.base_url = value;  // empty (unset env) keeps the default
      } else if (name == "upstream") {
        settings.upstream = value;  // empty (unset env): no upstream block
      } else if (name == "account") {
        settings.account = value;
      } else if (name == "priority" || name == "weight" ||
                 name == "max_tasks") {
        auto n = parse_uint(value);
        if (!n || *n > 1000000) {
          ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                             "vgw: %s= must be a whole number", name.c_str());
          return static_cast<char*>(NGX_CONF_ERROR);
        }
        if (name == "priority") settings.priority = static_cast<int>(*n);
        if (name == "weight") settings.weight = static_cast<int>(*n);
        if (name == "max_tasks") settings.max_tasks = static_cast<int64_t>(*n);
      } else if (name == "models") {
        for (auto part : split(value, ',')) {
          if (!part.empty()) settings.extra_models.emplace_back(part);
        }
      } else {
        settings.credentials[name] = value;
      }
    }
    for (auto it = settings.credentials.begin();
         it != settings.credentials.end();) {
      it = it->second.empty() ? settings.credentials.erase(it) : std::next(it);
    }
    std::string vendor =
        settings.account.empty() ? rules.name : settings.account;
    mcf->gateway->add_vendor(std::move(rules), settings);
    for (const auto& v : mcf->gateway->vendors()) {
      if (v->name() == vendor && !v->missing_credentials().empty()) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "vgw: vendor \"%s\" has no \"%s\" credential; its "
                           "models will answer 503 until one is configured",
                           vendor.c_str(),
                           v->missing_credentials().front().c_str());
      }
    }
  } catch (const RuleError& e) {
    return rule_error(cf, file, e);
  } catch (const std::exception& e) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s: %s", file.c_str(),
                       e.what());
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  return NGX_CONF_OK;
}

char* set_vendor(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ngx_str_t path = args[1];
  if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR),
                 [&]() { return load_vendor(cf, mcf, to_string(path)); });
}

// Directives whose single argument is a secret (inline, env: or file:),
// handed to `apply`, which throws std::invalid_argument when it is unusable.
template <typename Apply>
char* with_secret(ngx_conf_t* cf, Apply apply) noexcept {
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    std::string secret;
    if (!resolve_secret(cf, view(args[1]), secret)) {
      return static_cast<char*>(NGX_CONF_ERROR);
    }
    try {
      apply(secret);
    } catch (const std::invalid_argument& e) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s", e.what());
      return static_cast<char*>(NGX_CONF_ERROR);
    }
    return NGX_CONF_OK;
  });
}

char* set_id_key(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  return with_secret(cf, [&](const std::string& secret) {
    if (secret.size() < 16) {
      throw std::invalid_argument(
          "vgw_id_key needs a secret of at least 16 characters (is the "
          "environment variable set?)");
    }
    mcf->gateway->add_id_key(secret);
  });
}

// An env: secret whose variable is unset leaves webhooks off, so one
// configuration serves operators with and without them.
char* set_webhook_secret(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  bool from_env = view(args[1]).substr(0, 4) == "env:";
  return with_secret(cf, [&](const std::string& secret) {
    if (secret.empty() && from_env) {
      ngx_conf_log_error(NGX_LOG_NOTICE, cf, 0,
                         "vgw: %V is empty: webhooks are off (callback_url "
                         "is refused)",
                         &args[1]);
      return;
    }
    mcf->gateway->set_webhook_secret(secret);
  });
}

// Directives that take a list of host globs.
template <typename Add>
char* each_argument(ngx_conf_t* cf, Add add) noexcept {
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    for (ngx_uint_t i = 1; i < cf->args->nelts; ++i) add(to_string(args[i]));
    return NGX_CONF_OK;
  });
}

char* set_webhook_allow(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* gateway = static_cast<MainConf*>(conf)->gateway;
  return each_argument(
      cf, [&](const std::string& glob) { gateway->add_webhook_allow(glob); });
}

char* set_echo_parameters(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* gateway = static_cast<MainConf*>(conf)->gateway;
  return each_argument(
      cf, [&](const std::string& name) { gateway->add_echo_parameter(name); });
}

char* set_image_fetch_allow(ngx_conf_t* cf, ngx_command_t*,
                            void* conf) noexcept {
  auto* gateway = static_cast<MainConf*>(conf)->gateway;
  return each_argument(cf, [&](const std::string& glob) {
    gateway->add_image_fetch_allow(glob);
  });
}

char* set_status_cache(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ngx_int_t seconds = ngx_parse_time(&args[1], 1);
  if (seconds == NGX_ERROR || seconds > 3600) {
    return const_cast<char*>("must be a time of at most 1h (e.g. 2s, or 0)");
  }
  mcf->gateway->set_status_cache_ttl(seconds);
  return NGX_CONF_OK;
}

char* set_image_fetch_timeout(ngx_conf_t* cf, ngx_command_t*,
                              void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  ngx_int_t seconds = ngx_parse_time(&args[1], 1);
  if (seconds == NGX_ERROR || seconds < 1 || seconds > 600) {
    return const_cast<char*>("must be a time between 1s and 10m");
  }
  mcf->gateway->set_image_fetch_timeout(static_cast<int>(seconds));
  return NGX_CONF_OK;
}

char* set_default_model(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    mcf->gateway->set_default_model(to_string(args[1]));
    return NGX_CONF_OK;
  });
}

// vgw_model_retired glob [replacement]; vgw_model_alias name target;
char* set_model_rule(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  bool alias = view(cmd->name) == "vgw_model_alias";
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    std::string name = to_string(args[1]);
    std::string other = cf->args->nelts > 2 ? to_string(args[2]) : "";
    try {
      if (alias) {
        mcf->gateway->add_model_alias(std::move(name), std::move(other));
      } else {
        mcf->gateway->add_retired_model(std::move(name), std::move(other));
      }
    } catch (const std::invalid_argument& e) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: %s", e.what());
      return static_cast<char*>(NGX_CONF_ERROR);
    }
    return NGX_CONF_OK;
  });
}

char* set_binding(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* lcf = static_cast<LocConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (lcf->binding_set || lcf->binding_off)
    return const_cast<char*>("is duplicate");
  if (view(args[1]) == "off") {
    lcf->binding_off = 1;
    return NGX_CONF_OK;
  }
  lcf->binding = compile_complex(cf, &args[1]);
  if (lcf->binding == nullptr) return static_cast<char*>(NGX_CONF_ERROR);
  lcf->binding_set = 1;
  return NGX_CONF_OK;
}

// vgw_circuit_breaker off | [failures=N] [cooldown=time];
char* set_breaker(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  BreakerSettings settings;
  for (ngx_uint_t i = 1; i < cf->args->nelts; ++i) {
    std::string_view arg = view(args[i]);
    if (arg == "off" && cf->args->nelts == 2) {
      settings.failures = 0;
    } else if (starts_with(arg, "failures=")) {
      auto n = parse_uint(arg.substr(9));
      if (!n || *n < 1 || *n > 1000) {
        return const_cast<char*>("failures= must be 1-1000");
      }
      settings.failures = static_cast<int>(*n);
    } else if (starts_with(arg, "cooldown=")) {
      ngx_str_t value = args[i];
      value.data += 9;
      value.len -= 9;
      ngx_int_t seconds = ngx_parse_time(&value, 1);
      if (seconds == NGX_ERROR || seconds < 1 || seconds > 3600) {
        return const_cast<char*>("cooldown= must be a time from 1s to 1h");
      }
      settings.cooldown_seconds = seconds;
    } else {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "vgw: unknown argument \"%V\"",
                         &args[i]);
      return static_cast<char*>(NGX_CONF_ERROR);
    }
  }
  mcf->gateway->set_breaker(settings);
  return NGX_CONF_OK;
}

char* set_store_size(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (mcf->store_size != NGX_CONF_UNSET_SIZE) {
    return const_cast<char*>("is duplicate");
  }
  ssize_t size = ngx_parse_size(&args[1]);
  if (size == NGX_ERROR || size < 1024 * 1024) {
    return const_cast<char*>("must be a size of at least 1m");
  }
  mcf->store_size = static_cast<size_t>(size);
  return NGX_CONF_OK;
}

char* set_store_file(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (mcf->store_file.len != 0) return const_cast<char*>("is duplicate");
  mcf->store_file = args[1];
  if (ngx_conf_full_name(cf->cycle, &mcf->store_file, 0) != NGX_OK) {
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  return NGX_CONF_OK;
}

char* set_store_redis(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR),
                 [&]() { return parse_redis_store(cf, mcf->redis); });
}

char* set_tenant(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* lcf = static_cast<LocConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (lcf->tenant) return const_cast<char*>("is duplicate");
  lcf->tenant = compile_complex(cf, &args[1]);
  return lcf->tenant ? NGX_CONF_OK : static_cast<char*>(NGX_CONF_ERROR);
}

// Read here, while the configuration loads (nginx -t reports file:line),
// and again on every reload: a key added or revoked takes effect then.
char* set_client_keys(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* mcf = static_cast<MainConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (mcf->gateway->tenants()) return const_cast<char*>("is duplicate");
  ngx_str_t path = args[1];
  if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
    return static_cast<char*>(NGX_CONF_ERROR);
  }
  std::string file = to_string(path);
  return guarded(cf->log, static_cast<char*>(NGX_CONF_ERROR), [&]() -> char* {
    try {
      mcf->gateway->set_tenants(TenantDirectory::load(file));
    } catch (const RuleError& e) {
      return rule_error(cf, file, e);
    }
    return NGX_CONF_OK;
  });
}

char* set_public_url(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* lcf = static_cast<LocConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (lcf->public_url) return const_cast<char*>("is duplicate");
  lcf->public_url = compile_complex(cf, &args[1]);
  return lcf->public_url ? NGX_CONF_OK : static_cast<char*>(NGX_CONF_ERROR);
}

char* set_unified_status(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* lcf = static_cast<LocConf*>(conf);
  auto* args = static_cast<ngx_str_t*>(cf->args->elts);
  if (lcf->unified_openai_words != NGX_CONF_UNSET)
    return const_cast<char*>("is duplicate");
  if (view(args[1]) == "openai") {
    lcf->unified_openai_words = 1;
  } else if (view(args[1]) == "relay") {
    lcf->unified_openai_words = 0;
  } else {
    return const_cast<char*>("must be \"relay\" or \"openai\"");
  }
  return NGX_CONF_OK;
}

char* set_api(ngx_conf_t* cf, ngx_command_t*, void* conf) noexcept {
  auto* lcf = static_cast<LocConf*>(conf);
  if (lcf->api != NGX_CONF_UNSET) return const_cast<char*>("is duplicate");
  lcf->api = 1;
  auto* clcf = static_cast<ngx_http_core_loc_conf_t*>(
      ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module));
  clcf->handler = content_handler;
  return NGX_CONF_OK;
}

// A vendor's `upstream=` must name an upstream{} block: proxy_pass would
// otherwise resolve the name as a host at request time.
bool upstreams_exist(ngx_conf_t* cf, const Gateway& gateway) {
  auto* umcf = static_cast<ngx_http_upstream_main_conf_t*>(
      ngx_http_conf_get_module_main_conf(cf, ngx_http_upstream_module));
  auto** blocks =
      static_cast<ngx_http_upstream_srv_conf_t**>(umcf->upstreams.elts);
  for (const auto& vendor : gateway.vendors()) {
    const std::string& name = vendor->upstream();
    if (name.empty()) continue;
    bool found = false;
    for (ngx_uint_t i = 0; i < umcf->upstreams.nelts && !found; ++i) {
      found = (blocks[i]->flags & NGX_HTTP_UPSTREAM_CREATE) &&
              iequals(view(blocks[i]->host), name);
    }
    if (!found) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "vgw: vendor \"%s\" names upstream \"%s\", but no "
                         "upstream{} block has that name",
                         vendor->name().c_str(), name.c_str());
      return false;
    }
  }
  return true;
}

ngx_int_t postconfiguration(ngx_conf_t* cf) noexcept {
  auto* mcf = static_cast<MainConf*>(
      ngx_http_conf_get_module_main_conf(cf, ngx_http_vgw_module));
  if (!guarded(cf->log, false,
               [&]() { return upstreams_exist(cf, *mcf->gateway); })) {
    return NGX_ERROR;
  }
  static ngx_str_t request_id = ngx_string("request_id");
  mcf->request_id_index = ngx_http_get_variable_index(cf, &request_id);
  if (mcf->request_id_index == NGX_ERROR) return NGX_ERROR;
  if (install_request_log(cf) != NGX_OK) return NGX_ERROR;
  return install_filters(cf);
}

ngx_int_t preconfiguration(ngx_conf_t* cf) noexcept {
  return add_variables(cf);
}

// clang-format off
ngx_command_t commands[] = {
    {ngx_string("vgw_vendor"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_vendor, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_id_key"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_id_key, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_webhook_secret"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_webhook_secret, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_webhook_allow"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_webhook_allow, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_echo_parameters"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_echo_parameters, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_image_fetch_allow"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_image_fetch_allow, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_image_fetch_timeout"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_image_fetch_timeout, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_status_cache"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_status_cache, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_model_retired"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE12,
     set_model_rule, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_model_alias"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE2,
     set_model_rule, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_default_model"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_default_model, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_api"),
     NGX_HTTP_LOC_CONF | NGX_CONF_NOARGS,
     set_api, NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_client_keys"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_client_keys, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_circuit_breaker"), NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_breaker, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_store_size"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_store_size, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_store_file"), NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     set_store_file, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_store_redis"), NGX_HTTP_MAIN_CONF | NGX_CONF_1MORE,
     set_store_redis, NGX_HTTP_MAIN_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_tenant"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF |
         NGX_CONF_TAKE1,
     set_tenant, NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_id_binding"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     set_binding, NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_public_url"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     set_public_url, NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_unified_status"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     set_unified_status, NGX_HTTP_LOC_CONF_OFFSET, 0, nullptr},
    {ngx_string("vgw_chunked_body_max_size"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_size_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, chunked_body_max), nullptr},
    {ngx_string("vgw_call_ssl_trusted_certificate"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_MAIN_CONF_OFFSET,
     offsetof(MainConf, call_trusted_certificate), nullptr},
    {ngx_string("vgw_call_ssl_verify"),
     NGX_HTTP_MAIN_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_MAIN_CONF_OFFSET,
     offsetof(MainConf, call_ssl_verify), nullptr},
    {ngx_string("vgw_direct_calls"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, direct_calls), nullptr},
    {ngx_string("vgw_call_max_reply_size"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_size_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, call_max_reply), nullptr},
    {ngx_string("vgw_call_connect_timeout"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_msec_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, call_connect_timeout), nullptr},
    {ngx_string("vgw_call_timeout"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_msec_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, call_timeout), nullptr},
    {ngx_string("vgw_call_location"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, call_location), nullptr},
    {ngx_string("vgw_media_location"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
     ngx_conf_set_str_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(LocConf, media_location), nullptr},
    ngx_null_command};

ngx_http_module_t module_ctx = {
    preconfiguration,
    postconfiguration,
    create_main_conf,
    init_main_conf,
    nullptr,
    nullptr,
    create_loc_conf,
    merge_loc_conf};
// clang-format on

}  // namespace

MainConf* main_conf(ngx_http_request_t* r) {
  return static_cast<MainConf*>(
      ngx_http_get_module_main_conf(r, ngx_http_vgw_module));
}

LocConf* loc_conf(ngx_http_request_t* r) {
  return static_cast<LocConf*>(
      ngx_http_get_module_loc_conf(r, ngx_http_vgw_module));
}

}  // namespace vgw::ngx

// clang-format off
extern "C" {
ngx_module_t ngx_http_vgw_module = {
    NGX_MODULE_V1,
    &vgw::ngx::module_ctx,
    vgw::ngx::commands,
    NGX_HTTP_MODULE,
    nullptr, nullptr, vgw::ngx::seed_request_ids, nullptr, nullptr, nullptr,
    vgw::ngx::save_store_at_exit,
    NGX_MODULE_V1_PADDING};
}
// clang-format on
