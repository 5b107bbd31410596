#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ids/video_id.hpp"
#include "net/client_target.hpp"
#include "tenants/caller.hpp"
#include "tenants/tenant_directory.hpp"
#include "translate/circuit_breaker.hpp"
#include "translate/create_operation.hpp"
#include "translate/operation.hpp"
#include "translate/status_cache.hpp"
#include "translate/vendor.hpp"
#include "util/byte_buffer.hpp"
#include "webhooks/webhook_policy.hpp"

namespace vgw {

// One client request as the nginx layer sees it.
struct ClientCall {
  std::string_view method;
  std::string_view path;  // URI path without arguments
  std::string_view args;  // raw query string
  std::string_view content_type;
  std::string_view body;  // complete request body (create only)
  // The buffer `body` views, when the core may give back pages of images it
  // has encoded (see ImageBlobs); nullptr: the body is read-only.
  ByteBuffer* body_buffer = nullptr;
  std::string_view binding;  // caller identity the ids are bound to
  // The tenant, identified before routing (identify_caller()); nullptr:
  // no tenants. A refusal is answered for every route but vendor callbacks.
  const Caller* caller = nullptr;
  // The Idempotency-Key header of a create; empty: none.
  std::string_view idempotency_key;
  // Absolute base of the gateway's own URLs ("https://gw.example.com"),
  // for the content links in completed videos; empty: no links.
  std::string_view public_url;
  // /v1/video/generations answers with OpenAI's status words instead of
  // the relay seed's processing/succeeded/failed.
  bool unified_openai_words = false;
};

// The compiled configuration of one nginx `http{}` block: vendors in
// routing order, id keys, defaults. Immutable after finalize() except for
// signer caches in each worker's copy.
class Gateway {
 public:
  // Throws RuleError (with the YAML line) for bad rules or settings.
  void add_vendor(VendorRules rules, const VendorSettings& settings);
  void add_id_key(const std::string& secret);
  // The model of a create that names none; unset: such a create is a 400.
  void set_default_model(std::string model) {
    default_model_ = std::move(model);
  }
  // Relay parameters echoed back in the Video's metadata (fps, seed).
  void add_echo_parameter(std::string name) {
    echo_parameters_.push_back(std::move(name));
  }
  // Models no vendor serves any more (globs), with what to use instead
  // (may be empty); and names served as another model. Throws
  // std::invalid_argument for a name given twice.
  void add_retired_model(std::string glob, std::string replacement);
  void add_model_alias(std::string name, std::string target);
  // Webhooks: the signing secret ("whsec_…") and, optionally, the only
  // hosts callback URLs may point at. Throws std::invalid_argument for a
  // malformed secret.
  void set_webhook_secret(const std::string& secret);
  void add_webhook_allow(const std::string& host_glob) {
    webhooks_.allow.push_back(host_glob);
  }
  // Serve repeated status queries for a task from a per-worker cache for
  // this many seconds (0: off).
  void set_status_cache_ttl(int64_t seconds) { status_cache_.set_ttl(seconds); }
  // Internal hosts client image URLs may be downloaded from anyway.
  void add_image_fetch_allow(const std::string& host_glob) {
    image_fetch_.allow.push_back(host_glob);
  }
  void set_image_fetch_timeout(int seconds) { image_fetch_timeout_ = seconds; }
  // When to stop calling a failing vendor (vgw_circuit_breaker).
  void set_breaker(const BreakerSettings& settings) { breaker_ = settings; }
  // Client API keys and their tenants (vgw_client_keys).
  void set_tenants(TenantDirectory tenants) {
    tenants_ = std::move(tenants);
    has_tenants_ = true;
  }
  const TenantDirectory* tenants() const {
    return has_tenants_ ? &tenants_ : nullptr;
  }
  // Throws std::invalid_argument when the configuration is incomplete.
  void finalize();

  const std::vector<std::unique_ptr<Vendor>>& vendors() const {
    return vendors_;
  }
  bool has_vendor(const std::string& name) const;

  // Routes a request and returns its operation. Never throws for bad
  // client input: those become an operation that answers with a 4xx.
  std::unique_ptr<Operation> begin(const ClientCall& call) const;

  // Does this request need its body read before begin()?
  static bool wants_body(std::string_view method);

 private:
  Vendor* find_vendor(const std::string& name) const;
  std::unique_ptr<Operation> begin_create(const ClientCall& call,
                                          const std::string& api_base) const;
  std::unique_ptr<Operation> begin_callback(const ClientCall& call,
                                            std::string_view token) const;
  // `api_base`: absolute URL of the API root the client used, for the
  // content link in completed videos (empty: no link).
  enum class ByIdUse { retrieve, content, remove };
  std::unique_ptr<Operation> begin_by_id(const ClientCall& call,
                                         std::string_view id, ByIdUse use,
                                         const std::string& api_base) const;
  std::unique_ptr<Operation> begin_list(const ClientCall& call) const;
  // Characters: made at a vendor whose rules have `character:`; read back
  // from the sealed id alone.
  std::unique_ptr<Operation> begin_character(const ClientCall& call) const;
  std::unique_ptr<Operation> begin_get_character(const ClientCall& call,
                                                 std::string_view id) const;
  std::unique_ptr<Operation> begin_remix(const ClientCall& call,
                                         std::string_view id,
                                         const std::string& api_base) const;
  // Extensions and edits: a new task from one of the caller's videos.
  std::unique_ptr<Operation> begin_from_source(
      const ClientCall& call, SourceVideoUse use,
      const std::string& api_base) const;
  std::unique_ptr<Operation> begin_from_foreign(
      const ClientCall& call, SourceVideoUse use, const VideoRecord& source,
      const std::string& source_id, Vendor& source_vendor,
      ClientVideoRequest request, const std::string& api_base) const;
  std::unique_ptr<Operation> begin_from_upload(
      const ClientCall& call, SourceVideoUse use, const std::string& api_base,
      ClientVideoRequest request, std::optional<ApiError> body_error) const;
  // What a create (or remix) on one account is wrapped in: its task cap,
  // breaker and token; then the tenant's limits, usage and the catalogue.
  std::unique_ptr<Operation> on_account(std::unique_ptr<Operation> create,
                                        Vendor& vendor) const;
  CreateContext create_context(const ClientCall& call,
                               const std::string& api_base) const;
  using ModelTest = bool (*)(const VendorRules&, const ModelRule&);
  // The first vendor serving `model` for which `can` holds.
  std::pair<Vendor*, const ModelRule*> first_serving(const std::string& model,
                                                     ModelTest can) const;
  // OpenAI's characters, and extensions or edits of an upload, name no
  // model: the client's addition, else the default model when `can` holds
  // for it, else the only model in `takers` (as models_that() lists them);
  // empty when none.
  std::string model_for(std::string requested, const std::string& takers,
                        ModelTest can) const;
  // The configured model names for which `can` holds, quoted, listed once;
  // built the first time each list is asked for (vendors are fixed once
  // the configuration is loaded), not on every request that names them.
  const std::string& models_that(ModelTest can) const;
  // 400 unsupported_by_vendor, naming the models whose videos can be
  // remixed (or extended, or edited).
  ApiError cannot_remix(const std::string& model) const;
  ApiError cannot_use_source(const std::string& model,
                             SourceVideoUse use) const;
  // A create made from one of the caller's videos (remix, extension,
  // edit): a deleted source is a 404 before anything is made, and an
  // Idempotency-Key (whose fingerprint names the source) replays it.
  std::unique_ptr<Operation> made_from(std::unique_ptr<Operation> made,
                                       const ClientCall& call,
                                       const VideoRecord& source,
                                       const std::string& source_id,
                                       std::string_view idempotency_key,
                                       std::string fingerprint) const;
  static std::string source_fingerprint(const char* operation,
                                        const std::string& source_id,
                                        const ClientVideoRequest& request);
  std::unique_ptr<Operation> for_tenant(std::unique_ptr<Operation> create,
                                        const ClientCall& call,
                                        std::string prompt,
                                        std::string remixed_from) const;

  std::vector<std::unique_ptr<Vendor>> vendors_;
  // A deque: the lists handed out stay where they are as others are added.
  mutable std::deque<std::pair<ModelTest, std::string>> models_that_;
  std::vector<std::string> id_secrets_;
  VideoIdSealer sealer_;
  std::string default_model_;
  std::vector<std::string> echo_parameters_;
  WebhookPolicy webhooks_;
  ClientTargetPolicy image_fetch_;
  int image_fetch_timeout_ = 10;
  TenantDirectory tenants_;
  bool has_tenants_ = false;
  BreakerSettings breaker_;
  std::vector<std::pair<std::string, std::string>> retired_;  // glob, use
  std::vector<std::pair<std::string, std::string>> aliases_;  // name, target
  // Each worker's copy of the gateway has its own cache (fork).
  mutable StatusCache status_cache_;
  // Draws the order of a pool's accounts; each worker's own after fork.
  uint64_t next_pool_draw() const;
  mutable uint64_t pool_draws_ = 0;
};

}  // namespace vgw
