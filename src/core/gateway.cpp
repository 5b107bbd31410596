#include "gateway.hpp"

#include <variant>

#include "dialects/unified_dialect.hpp"
#include "translate/callback_operation.hpp"
#include "webhooks/webhook_event.hpp"
#include "translate/token_refresh.hpp"
#include "translate/vendor_data.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include "api/character_request.hpp"
#include "api/client_request.hpp"
#include "api/video_reference.hpp"
#include "api/video_upload.hpp"
#include "catalog/catalog_listing.hpp"
#include "catalog/catalog_lookup.hpp"
#include "catalog/catalog_record.hpp"
#include "catalog/list_videos.hpp"
#include "crypto/crypto.hpp"
#include "rules/rule_error.hpp"
#include "rules/scope.hpp"
#include "translate/account_pool.hpp"
#include "translate/character_operation.hpp"
#include "translate/concurrent_tasks.hpp"
#include "translate/create_operation.hpp"
#include "translate/foreign_source.hpp"
#include "translate/source_video.hpp"
#include "translate/idempotent_create.hpp"
#include "translate/retrieve_operation.hpp"
#include "translate/tenant_quota.hpp"
#include "translate/upload_limits.hpp"
#include "translate/usage_record.hpp"
#include "translate/vendor_delete.hpp"
#include "util/strings.hpp"
#include "util/json_reader.hpp"

namespace vgw {
namespace {

// An operation that only answers (routing and validation errors).
// Answers without calling a vendor: an error, or a fixed reply.
class FixedOperation : public Operation {
 public:
  FixedOperation(std::variant<ApiError, HttpResponse> answer,
                 RequestFacts facts)
      : answer_(std::move(answer)) {
    facts_ = std::move(facts);
  }
  Step start(int64_t) override {
    if (auto* e = std::get_if<ApiError>(&answer_)) return finish(*e);
    return finish(std::get<HttpResponse>(answer_));
  }
  Step on_reply(const UpstreamReply&, int64_t now) override {
    return start(now);
  }

 private:
  std::variant<ApiError, HttpResponse> answer_;
};

std::unique_ptr<Operation> answer(std::variant<ApiError, HttpResponse> reply,
                                  const char* operation,
                                  std::string model = {}) {
  RequestFacts facts;
  facts.operation = operation;
  facts.model = std::move(model);
  return std::make_unique<FixedOperation>(std::move(reply), std::move(facts));
}

std::string tenant_of(const ClientCall& call) {
  return call.caller ? call.caller->tenant : std::string();
}

std::optional<ApiError> idempotency_key_problem(std::string_view key) {
  if (key.size() <= 255) return std::nullopt;
  return invalid_request("'Idempotency-Key' is longer than 255 characters.",
                         std::string("Idempotency-Key"),
                         "invalid_idempotency_key");
}

// A rule's `models` name the vendor's models (`veo-3.1*`), so an
// operator's alias for one (models=vertex-veo-3.1:veo-3.1-generate-001) is
// matched by what it stands for; none named: all.
bool names_vendor_model(const std::vector<std::string>& globs,
                        const ModelRule& model,
                        const std::string& client_model) {
  if (globs.empty()) return true;
  const std::string& vendor_model =
      model.vendor_model.empty() ? client_model : model.vendor_model;
  for (const auto& pattern : globs) {
    if (glob_match(pattern, vendor_model)) return true;
  }
  return false;
}

// A remix body is {prompt} and nothing else, as OpenAI's.
// The id a parsed extension or edit names: {"video": {"id": ...}}, or
// multipart's video[id].
std::optional<std::string> named_video_id(const ClientVideoRequest& r) {
  auto video = r.extra.find("video");
  if (video == r.extra.end() || !video->is_object()) return std::nullopt;
  auto id = video->find("id");
  if (id == video->end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

std::optional<ApiError> only_a_prompt(const ClientVideoRequest& r) {
  std::string other = !r.model.empty()      ? "model"
                      : r.seconds           ? "seconds"
                      : r.size              ? "size"
                      : !r.images.empty()   ? "input_reference"
                      : r.video             ? "video"
                      : r.callback_url      ? "callback_url"
                      : !r.metadata.empty() ? "metadata"
                      : !r.extra.empty()    ? r.extra.begin().key()
                                            : std::string();
  if (other.empty()) return std::nullopt;
  return invalid_request(
      "Unrecognized request argument supplied: " + other.substr(0, 100),
      other.substr(0, 100), "unknown_parameter");
}

}  // namespace

void Gateway::add_vendor(VendorRules rules, const VendorSettings& settings) {
  models_that_.clear();
  auto vendor = std::make_unique<Vendor>(std::move(rules), settings);
  if (has_vendor(vendor->name())) {
    throw RuleError("vendor account '" + vendor->name() +
                    "' is configured twice (name each account with "
                    "account=NAME)");
  }
  vendor->set_default_priority(static_cast<int>(vendors_.size()));
  vendors_.push_back(std::move(vendor));
}

void Gateway::add_id_key(const std::string& secret) {
  if (secret.size() < 16) {
    throw std::invalid_argument("a video id key needs at least 16 characters");
  }
  id_secrets_.push_back(secret);
}

void Gateway::add_retired_model(std::string glob, std::string replacement) {
  for (const auto& [known, use] : retired_) {
    if (known == glob) {
      throw std::invalid_argument("model '" + glob + "' is retired twice");
    }
  }
  retired_.emplace_back(std::move(glob), std::move(replacement));
}

void Gateway::add_model_alias(std::string name, std::string target) {
  for (const auto& [known, to] : aliases_) {
    if (known == name) {
      throw std::invalid_argument("model '" + name + "' is aliased twice");
    }
  }
  if (name == target) {
    throw std::invalid_argument("model '" + name + "' is aliased to itself");
  }
  aliases_.emplace_back(std::move(name), std::move(target));
}

void Gateway::finalize() {
  if (!vendors_.empty() && id_secrets_.empty()) {
    throw std::invalid_argument(
        "no vgw_id_key configured: video ids cannot be sealed");
  }
  sealer_ = VideoIdSealer(id_secrets_);
}

// The draws only spread creates over a pool's accounts by weight: a
// sequence, not a secret, and one that workers forked from the same master
// may share.
uint64_t Gateway::next_pool_draw() const { return ++pool_draws_; }

bool Gateway::has_vendor(const std::string& name) const {
  return find_vendor(name) != nullptr;
}

Vendor* Gateway::find_vendor(const std::string& name) const {
  for (const auto& v : vendors_) {
    if (v->name() == name) return v.get();
  }
  return nullptr;
}

bool Gateway::wants_body(std::string_view method) { return method == "POST"; }

std::unique_ptr<Operation> Gateway::begin(const ClientCall& call) const {
  // Routes are recognised by their tail so the API can be mounted under any
  // prefix (/v1/, /openai/v1/ ...).
  std::vector<std::string_view> segments;
  segments.reserve(8);
  for (size_t at = 0; at < call.path.size();) {
    size_t end = call.path.find('/', at);
    if (end == std::string_view::npos) end = call.path.size();
    if (end > at) segments.push_back(call.path.substr(at, end - at));
    at = end + 1;
  }
  // Absolute base of the API as the client reached it, for content links.
  auto api_base = [&](size_t upto) {
    if (call.public_url.empty()) return std::string();
    std::string_view root = call.public_url;
    while (!root.empty() && root.back() == '/') root.remove_suffix(1);
    size_t size = root.size() + 1;
    for (size_t i = 0; i < upto; ++i) size += segments[i].size() + 1;
    std::string base;
    base.reserve(size);
    base.append(root);
    for (size_t i = 0; i < upto; ++i) base.append("/").append(segments[i]);
    return base.append("/");
  };
  auto method_not_allowed = [&](const char* allowed) {
    ApiError e =
        invalid_request(std::string("Method ") + std::string(call.method) +
                            " is not allowed here; use " + allowed + ".",
                        std::nullopt, "method_not_allowed");
    e.status = 405;
    return answer(e, "route");
  };
  auto unknown_route = [&]() {
    ApiError e = not_found("Unknown route: " + std::string(call.method) + " " +
                           std::string(call.path.substr(0, 200)));
    e.code = "unknown_route";
    return answer(e, "route");
  };

  // Vendor callbacks: .../vgw/callbacks/{token}. Vendors hold no client
  // key: the sealed token is what authenticates them.
  if (segments.size() >= 3 && segments[segments.size() - 3] == "vgw" &&
      segments[segments.size() - 2] == "callbacks") {
    if (call.method != "POST") return method_not_allowed("POST");
    return begin_callback(call, segments.back());
  }
  if (call.caller && call.caller->refusal) {
    return answer(*call.caller->refusal, "auth");
  }

  for (size_t i = segments.size(); i-- > 1;) {
    if (segments[i - 1] != "video" || segments[i] != "generations") continue;
    size_t rest = segments.size() - i - 1;
    auto unified = [&](std::unique_ptr<Operation> op) {
      return speak_unified(std::move(op), call.unified_openai_words);
    };
    if (rest == 0) {
      if (call.method == "POST") {
        return unified(begin_create(call, api_base(i - 1)));
      }
      return unified(method_not_allowed("POST"));
    }
    if (rest == 1) {
      if (call.method == "GET") {
        return unified(begin_by_id(call, segments[i + 1], ByIdUse::retrieve,
                                   api_base(i - 1)));
      }
      return unified(method_not_allowed("GET"));
    }
    return unified(unknown_route());
  }

  size_t at = segments.size();
  for (size_t i = segments.size(); i-- > 0;) {
    if (segments[i] == "videos") {
      at = i;
      break;
    }
  }
  size_t rest = at == segments.size() ? 99 : segments.size() - at - 1;
  if (rest == 0) {
    if (call.method == "POST") return begin_create(call, api_base(at));
    if (call.method == "GET") return begin_list(call);
    return method_not_allowed("GET or POST");
  }
  if (rest == 1 && segments[at + 1] == "characters") {
    if (call.method == "POST") return begin_character(call);
    return method_not_allowed("POST");
  }
  if (rest == 1 &&
      (segments[at + 1] == "extensions" || segments[at + 1] == "edits")) {
    if (call.method != "POST") return method_not_allowed("POST");
    return begin_from_source(call,
                             segments[at + 1] == "edits"
                                 ? SourceVideoUse::edit
                                 : SourceVideoUse::extension,
                             api_base(at));
  }
  if (rest == 2 && segments[at + 1] == "characters") {
    if (call.method != "GET") return method_not_allowed("GET");
    return begin_get_character(call, segments[at + 2]);
  }
  if (rest == 1) {
    if (call.method == "GET") {
      return begin_by_id(call, segments[at + 1], ByIdUse::retrieve,
                         api_base(at));
    }
    if (call.method == "DELETE") {
      return begin_by_id(call, segments[at + 1], ByIdUse::remove, api_base(at));
    }
    return method_not_allowed("GET or DELETE");
  }
  if (rest == 2 && segments[at + 2] == "remix") {
    if (call.method == "POST") {
      return begin_remix(call, segments[at + 1], api_base(at));
    }
    return method_not_allowed("POST");
  }
  if (rest == 2 && segments[at + 2] == "content") {
    if (call.method == "GET" || call.method == "HEAD") {
      return begin_by_id(call, segments[at + 1], ByIdUse::content,
                         std::string());
    }
    return method_not_allowed("GET");
  }
  return unknown_route();
}

void Gateway::set_webhook_secret(const std::string& secret) {
  if (!valid_webhook_secret(secret)) {
    throw std::invalid_argument(
        "vgw_webhook_secret must be \"whsec_\" followed by the base64 of at "
        "least 16 random bytes");
  }
  webhooks_.secret = secret;
}

std::unique_ptr<Operation> Gateway::begin_callback(
    const ClientCall& call, std::string_view token) const {
  auto callback = open_callback_token(sealer_, token);
  if (!callback) {
    ApiError e = not_found("Unknown callback.");
    e.code = "unknown_callback";
    return answer(e, "callback");
  }
  Vendor* vendor = find_vendor(callback->record.vendor);
  if (!vendor || !vendor->rules().create.callback) {
    ApiError e = not_found("The vendor of this callback is not configured.");
    e.code = "unknown_callback";
    return answer(e, "callback", callback->record.model);
  }
  Json payload = read_json(call.body);
  const auto& asks = vendor->rules().create.callback->answer;
  if (asks && payload.is_object()) {
    static const Json kNoNames = Json::object();
    JsonScope scope(kNoNames);
    scope.bind("payload", payload);
    if (asks->when.test(scope)) {
      HttpResponse r;
      auto body = asks->body.render(scope);
      r.body = body ? body->dump() : "{}";
      return answer(std::move(r), "callback");
    }
  }
  const Json* task =
      payload.is_object()
          ? vendor->rules().create.callback->task_id.find(payload)
          : nullptr;
  std::string task_id = task ? json_text(*task) : std::string();
  if (task_id_problem(task_id, vendor->rules().create.task_id_is_path)) {
    return answer(invalid_request("The callback names no task.", std::nullopt,
                                  "invalid_callback"),
                  "callback", callback->record.model);
  }
  callback->record.task_id = task_id;
  // A callback that sees the task end settles it as a poll would: one
  // usage record, and the task's slots freed, whichever comes first.
  std::string tenant = callback->target.tenant;
  std::unique_ptr<Operation> settled = with_task_slot_release(
      with_usage_record(
          with_fresh_token(
              *vendor, make_callback_operation(*vendor, std::move(*callback),
                                               sealer_, webhooks_)),
          tenant, UsagePoint::poll),
      account_task_slots(*vendor));
  const Tenant* entry = has_tenants_ ? tenants_.find_by_name(tenant) : nullptr;
  if (entry) {
    settled =
        with_task_slot_release(std::move(settled), tenant_task_slots(*entry));
  }
  return settled;
}

std::unique_ptr<Operation> Gateway::begin_create(
    const ClientCall& call, const std::string& api_base) const {
  ClientVideoRequest request;
  if (auto e = parse_create_request(call.content_type, call.body, request)) {
    return answer(*e, "create", request.model);
  }
  if (auto e = take_echoed(request, echo_parameters_)) {
    return answer(*e, "create", request.model);
  }
  if (request.video) {
    return answer(
        invalid_request("Unexpected file parameter 'video'.",
                        std::string("video"), "unsupported_parameter"),
        "create", request.model);
  }
  if (request.model.empty()) request.model = default_model_;
  if (request.model.empty()) {
    return answer(invalid_request("Missing required parameter: 'model' (this "
                                  "gateway has no default model).",
                                  "model", "missing_required_parameter"),
                  "create");
  }
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, request.model)) {
      return answer(*e, "create", request.model);
    }
  }
  // An alias is followed once (configuration decides, not a chain); a
  // retired name is refused before any vendor sees it.
  for (const auto& [name, target] : aliases_) {
    if (name == request.model) {
      request.model = target;
      break;
    }
  }
  for (const auto& [glob, replacement] : retired_) {
    if (!glob_match(glob, request.model)) continue;
    std::string message = "The model '" + request.model.substr(0, 200) +
                          "' has been retired and is no longer served.";
    if (!replacement.empty()) {
      message += " Use '" + replacement + "' instead.";
    }
    return answer(invalid_request(std::move(message), "model", "model_retired"),
                  "create", request.model);
  }
  std::string_view idempotency_key = trim(call.idempotency_key);
  if (auto e = idempotency_key_problem(idempotency_key)) {
    return answer(*e, "create", request.model);
  }
  std::vector<std::pair<Vendor*, const ModelRule*>> pool;
  for (const auto& vendor : vendors_) {
    if (const ModelRule* rule = vendor->find_model(request.model)) {
      pool.emplace_back(vendor.get(), rule);
    }
  }
  if (!pool.empty()) {
    std::string prompt = request.prompt;
    std::string fingerprint;
    if (!idempotency_key.empty()) fingerprint = create_fingerprint(request);
    CreateContext context = create_context(call, api_base);
    auto on_account = [this](Vendor& vendor, const ModelRule& rule,
                             ClientVideoRequest request,
                             CreateContext context) {
      return this->on_account(
          make_create_operation(vendor, rule, std::move(request),
                                std::move(context)),
          vendor);
    };
    std::unique_ptr<Operation> create;
    if (pool.size() == 1) {
      create = on_account(*pool[0].first, *pool[0].second, std::move(request),
                          std::move(context));
    } else {
      std::vector<PoolMember> members;
      for (const auto& [vendor, rule] : pool) {
        members.push_back({vendor->priority(), vendor->weight()});
      }
      // Each account gets its own copy of the request, whose views point
      // into the shared original; no attempt may give the client body's
      // pages back while a later one could still read them.
      context.client_body = nullptr;
      auto original =
          std::make_shared<const ClientVideoRequest>(std::move(request));
      create =
          make_pool_create(pool_order(members, next_pool_draw()),
                           [pool, original, context, on_account](size_t i) {
                             return on_account(*pool[i].first, *pool[i].second,
                                               *original, context);
                           });
    }
    // Outside the pool: a create every account refused gives the tenant's
    // charge back.
    create = for_tenant(std::move(create), call, std::move(prompt), {});
    if (idempotency_key.empty()) return create;
    return make_idempotent_create(
        std::move(create), idempotency_store_key(call.binding, idempotency_key),
        std::move(fingerprint));
  }
  ApiError e = invalid_request("The model '" + request.model.substr(0, 200) +
                                   "' does not exist or is not served by this "
                                   "gateway.",
                               "model", "model_not_found");
  return answer(e, "create", request.model);
}

std::unique_ptr<Operation> Gateway::begin_by_id(
    const ClientCall& call, std::string_view id, ByIdUse use,
    const std::string& api_base) const {
  const char* operation = use == ByIdUse::content  ? "content"
                          : use == ByIdUse::remove ? "delete"
                                                   : "retrieve";
  std::string video_id = url_decode(id);
  auto record = sealer_.open(video_id, call.binding);
  if (!record) return answer(video_not_found(video_id), operation);
  Vendor* vendor = find_vendor(record->vendor);
  if (!vendor) {
    ApiError e = video_not_found(video_id);
    e.message += " The vendor that made it is no longer configured.";
    return answer(e, operation, record->model);
  }
  CatalogTarget target{catalog_record_key(record->vendor, record->task_id),
                       std::string(call.binding), video_id, nullptr};
  if (use == ByIdUse::remove) {
    if (auto deletion = make_vendor_delete_operation(*vendor, *record)) {
      target.vendor_delete = with_fresh_token(*vendor, std::move(deletion));
    }
  }
  if (use != ByIdUse::content) {
    std::string content_url;
    if (!api_base.empty()) {
      constexpr std::string_view kVideos = "videos/", kContent = "/content";
      content_url.reserve(api_base.size() + kVideos.size() + video_id.size() +
                          kContent.size());
      content_url.append(api_base).append(kVideos).append(video_id).append(
          kContent);
    }
    auto notes = std::make_shared<VideoNotes>();
    auto retrieve = with_breaker(
        with_fresh_token(*vendor,
                         make_retrieve_operation(
                             *vendor, std::move(*record), std::move(video_id),
                             std::move(content_url), &status_cache_, notes)),
        vendor->name(), breaker_, vendor->breaker_memo());
    retrieve = with_task_slot_release(
        with_usage_record(std::move(retrieve), tenant_of(call),
                          UsagePoint::poll),
        account_task_slots(*vendor));
    if (call.caller && call.caller->entry) {
      retrieve = with_task_slot_release(std::move(retrieve),
                                        tenant_task_slots(*call.caller->entry));
    }
    return with_catalog_lookup(
        std::move(retrieve),
        use == ByIdUse::remove ? CatalogUse::remove : CatalogUse::retrieve,
        std::move(target), std::move(notes));
  }
  std::string variant = query_arg(call.args, "variant").value_or("video");
  if (variant.empty()) variant = "video";
  if (variant != "video" && variant != "thumbnail" &&
      variant != "spritesheet") {
    return answer(invalid_request("Invalid value for 'variant': '" +
                                      variant.substr(0, 50) +
                                      "'. Supported values are: 'video', "
                                      "'thumbnail', and 'spritesheet'.",
                                  "variant", "invalid_value"),
                  operation, record->model);
  }
  return with_catalog_lookup(
      with_breaker(with_fresh_token(*vendor, make_content_operation(
                                                 *vendor, std::move(*record),
                                                 video_id, variant)),
                   vendor->name(), breaker_, vendor->breaker_memo()),
      CatalogUse::content, std::move(target), nullptr);
}

CreateContext Gateway::create_context(const ClientCall& call,
                                      const std::string& api_base) const {
  return CreateContext{
      sealer_,      webhooks_,    std::string(call.binding), tenant_of(call),
      api_base,     image_fetch_, image_fetch_timeout_,      call.body_buffer,
      std::nullopt, std::nullopt};
}

std::unique_ptr<Operation> Gateway::on_account(
    std::unique_ptr<Operation> create, Vendor& vendor) const {
  return with_concurrent_task_slot(
      with_breaker(with_fresh_token(vendor, std::move(create)), vendor.name(),
                   breaker_, vendor.breaker_memo()),
      account_task_slots(vendor));
}

std::unique_ptr<Operation> Gateway::for_tenant(
    std::unique_ptr<Operation> create, const ClientCall& call,
    std::string prompt, std::string remixed_from) const {
  if (call.caller && call.caller->entry) {
    create = with_concurrent_task_slot(
        with_tenant_quota(std::move(create), *call.caller->entry),
        tenant_task_slots(*call.caller->entry));
  }
  create =
      with_usage_record(std::move(create), tenant_of(call), UsagePoint::create);
  return with_catalog_listing(std::move(create), catalog_owner(call.binding),
                              std::move(prompt), std::move(remixed_from));
}

namespace {

bool keeps_characters(const VendorRules& v, const ModelRule& m) {
  return v.character && names_vendor_model(v.character->models, m, m.pattern);
}

}  // namespace

std::unique_ptr<Operation> Gateway::begin_character(
    const ClientCall& call) const {
  const char* operation = "character";
  CharacterRequest request;
  if (auto e = parse_character_request(call.content_type, call.body, request)) {
    return answer(*e, operation);
  }
  const std::string& can = models_that(keeps_characters);
  if (can.empty()) {
    return answer(
        invalid_request("Characters cannot be made here: no vendor "
                        "configured on this gateway keeps them.",
                        std::string("video"), "unsupported_by_vendor"),
        operation, request.model);
  }
  request.model = model_for(std::move(request.model), can, keeps_characters);
  if (request.model.empty()) {
    return answer(
        invalid_request("Name the model the character is for "
                        "('model'): one of " +
                            can + ".",
                        std::string("model"), "missing_required_parameter"),
        operation);
  }
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, request.model)) {
      return answer(*e, operation, request.model);
    }
  }
  auto [vendor, rule] = first_serving(request.model, keeps_characters);
  if (!vendor) {
    return answer(
        invalid_request("Characters for '" + request.model.substr(0, 200) +
                            "' cannot be made: its vendor keeps none. Models "
                            "that can have characters: " +
                            can + ".",
                        std::string("model"), "unsupported_by_vendor"),
        operation, request.model);
  }
  auto made = make_character_operation(
      *vendor, *rule, std::move(request),
      CharacterContext{sealer_, std::string(call.binding), call.body_buffer});
  return with_breaker(with_fresh_token(*vendor, std::move(made)),
                      vendor->name(), breaker_, vendor->breaker_memo());
}

std::unique_ptr<Operation> Gateway::begin_get_character(
    const ClientCall& call, std::string_view id) const {
  std::string character_id = url_decode(id);
  auto record = sealer_.open(character_id, call.binding, SealedKind::character);
  if (!record) {
    ApiError e = not_found("No character found with id '" +
                           character_id.substr(0, 200) + "'.");
    e.code = "character_not_found";
    return answer(e, "character");
  }
  return answer(character_response(character_id, *record), "character",
                record->model);
}

std::unique_ptr<Operation> Gateway::begin_remix(
    const ClientCall& call, std::string_view id,
    const std::string& api_base) const {
  std::string source_id = url_decode(id);
  auto source = sealer_.open(source_id, call.binding);
  if (!source) return answer(video_not_found(source_id), "remix");
  Vendor* vendor = find_vendor(source->vendor);
  const ModelRule* rule = vendor ? vendor->find_model(source->model) : nullptr;
  if (!rule) {
    ApiError e = video_not_found(source_id);
    e.message += " The vendor that made it is no longer configured.";
    return answer(e, "remix", source->model);
  }
  if (!vendor->rules().remix) {
    return answer(cannot_remix(source->model), "remix", source->model);
  }
  ClientVideoRequest request;
  if (auto e = parse_create_request(call.content_type, call.body, request)) {
    return answer(*e, "remix", source->model);
  }
  if (auto e = only_a_prompt(request))
    return answer(*e, "remix", source->model);
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, source->model)) {
      return answer(*e, "remix", source->model);
    }
  }
  std::string_view idempotency_key = trim(call.idempotency_key);
  if (auto e = idempotency_key_problem(idempotency_key)) {
    return answer(*e, "remix", source->model);
  }
  request.model = source->model;
  request.seconds = source->seconds;
  request.size = source->size;
  std::string prompt = request.prompt;
  std::string fingerprint =
      idempotency_key.empty() ? std::string()
                              : source_fingerprint("remix", source_id, request);
  CreateContext context = create_context(call, api_base);
  context.remix = RemixSource{source_id, source->task_id, source->kind};
  auto remix = for_tenant(
      on_account(make_create_operation(*vendor, *rule, std::move(request),
                                       std::move(context)),
                 *vendor),
      call, std::move(prompt), source_id);
  return made_from(std::move(remix), call, *source, source_id, idempotency_key,
                   std::move(fingerprint));
}

std::string Gateway::source_fingerprint(const char* operation,
                                        const std::string& source_id,
                                        const ClientVideoRequest& request) {
  return crypto::sha256({operation, std::string_view("\0", 1), source_id,
                         std::string_view("\0", 1),
                         create_fingerprint(request)});
}

std::unique_ptr<Operation> Gateway::made_from(std::unique_ptr<Operation> made,
                                              const ClientCall& call,
                                              const VideoRecord& source,
                                              const std::string& source_id,
                                              std::string_view idempotency_key,
                                              std::string fingerprint) const {
  // A deleted source is a 404, before anything is made from it.
  made = with_catalog_lookup(
      std::move(made), CatalogUse::content,
      CatalogTarget{catalog_record_key(source.vendor, source.task_id),
                    std::string(call.binding), source_id, nullptr},
      nullptr);
  if (idempotency_key.empty()) return made;
  return make_idempotent_create(
      std::move(made), idempotency_store_key(call.binding, idempotency_key),
      std::move(fingerprint));
}

std::pair<Vendor*, const ModelRule*> Gateway::first_serving(
    const std::string& model, ModelTest can) const {
  for (const auto& vendor : vendors_) {
    const ModelRule* rule = vendor->find_model(model);
    if (rule && can(vendor->rules(), *rule)) return {vendor.get(), rule};
  }
  return {nullptr, nullptr};
}

std::string Gateway::model_for(std::string requested, const std::string& takers,
                               ModelTest can) const {
  if (!requested.empty()) return requested;
  if (first_serving(default_model_, can).first) return default_model_;
  if (!takers.empty() && takers.find("', '") == std::string::npos) {
    return takers.substr(1, takers.size() - 2);
  }
  return {};
}

const std::string& Gateway::models_that(ModelTest can) const {
  for (const auto& [test, names] : models_that_) {
    if (test == can) return names;
  }
  std::string names;
  for (const auto& v : vendors_) {
    for (const auto& m : v->rules().models) {
      if (!can(v->rules(), m)) continue;
      std::string quoted = "'" + m.pattern + "'";
      if (names.find(quoted) != std::string::npos) continue;
      names += (names.empty() ? "" : ", ") + quoted;
    }
  }
  return models_that_.emplace_back(can, std::move(names)).second;
}

ApiError Gateway::cannot_remix(const std::string& model) const {
  const std::string& can =
      models_that([](const VendorRules& v, const ModelRule&) {
        return v.remix.has_value();
      });
  return invalid_request(
      "Videos made with '" + model.substr(0, 200) +
          "' cannot be remixed: its vendor has no remix. " +
          (can.empty() ? std::string("No configured model can remix.")
                       : "Models whose videos can be remixed: " + can + "."),
      std::nullopt, "unsupported_by_vendor");
}

namespace {

const std::optional<SourceVideoRule>& rule_for(const VendorRules& v,
                                               SourceVideoUse use) {
  return use == SourceVideoUse::extension ? v.extend : v.edit;
}

bool takes_model(const SourceVideoRule& rule, const ModelRule& model,
                 const std::string& client_model) {
  return names_vendor_model(rule.models, model, client_model);
}

template <SourceVideoUse use>
bool serves(const VendorRules& v, const ModelRule& m) {
  const auto& rule = rule_for(v, use);
  return rule && takes_model(*rule, m, m.pattern);
}

template <SourceVideoUse use>
bool serves_uploads(const VendorRules& v, const ModelRule& m) {
  const auto& rule = rule_for(v, use);
  return rule && rule->upload && rule->upload->takes_bytes &&
         takes_model(*rule, m, m.pattern);
}

// Takes another vendor's videos (by URL, or as bytes): through its upload
// request, or its request where that reads the source only as a file.
template <SourceVideoUse use>
bool serves_foreign(const VendorRules& v, const ModelRule& m) {
  const auto& rule = rule_for(v, use);
  return rule && (rule->upload || rule->takes_url || rule->takes_bytes) &&
         takes_model(*rule, m, m.pattern);
}

const char* call_name(SourceVideoUse use) {
  return use == SourceVideoUse::extension ? "extension" : "edit";
}

const char* done_to(SourceVideoUse use) {
  return use == SourceVideoUse::extension ? "extended" : "edited";
}

}  // namespace

ApiError Gateway::cannot_use_source(const std::string& model,
                                    SourceVideoUse use) const {
  const std::string& can = models_that(use == SourceVideoUse::extension
                                           ? serves<SourceVideoUse::extension>
                                           : serves<SourceVideoUse::edit>);
  std::string what = done_to(use);
  return invalid_request(
      "Videos made with '" + model.substr(0, 200) + "' cannot be " + what +
          ": its vendor has no " + call_name(use) + " for them. " +
          (can.empty()
               ? "No configured model's videos can be " + what + "."
               : "Models whose videos can be " + what + ": " + can + "."),
      std::string("video"), "unsupported_by_vendor");
}

std::unique_ptr<Operation> Gateway::begin_from_source(
    const ClientCall& call, SourceVideoUse use,
    const std::string& api_base) const {
  const char* operation = call_name(use);
  ClientVideoRequest request;
  auto body_error = parse_create_request(call.content_type, call.body, request);
  // The id first: what a source can become is said before what is wrong
  // with the rest of the body (a body that does not parse is searched).
  auto id = body_error ? referenced_video_id(call.content_type, call.body)
                       : named_video_id(request);
  if (!id) {
    return begin_from_upload(call, use, api_base, std::move(request),
                             std::move(body_error));
  }
  auto source = sealer_.open(*id, call.binding);
  if (!source) {
    ApiError e = video_not_found(*id);
    e.param = "video";
    return answer(e, operation);
  }
  Vendor* vendor = find_vendor(source->vendor);
  const ModelRule* rule = vendor ? vendor->find_model(source->model) : nullptr;
  if (!rule) {
    ApiError e = video_not_found(*id);
    e.message += " The vendor that made it is no longer configured.";
    e.param = "video";
    return answer(e, operation, source->model);
  }
  if (!body_error && !request.model.empty()) {
    // A model of another vendor: the video goes to it.
    if (!vendor->find_model(request.model)) {
      return begin_from_foreign(call, use, *source, *id, *vendor,
                                std::move(request), api_base);
    }
    if (request.model == source->model) request.model.clear();
  }
  const auto& derive = rule_for(vendor->rules(), use);
  if (!derive || !takes_model(*derive, *rule, source->model)) {
    return answer(cannot_use_source(source->model, use), operation,
                  source->model);
  }
  if (body_error) return answer(*body_error, operation, source->model);
  request.extra.erase("video");  // multipart's video[id] lands here too
  if (request.video) {
    return answer(invalid_request("Send the video by id or as a file, not "
                                  "both.",
                                  std::string("video"), "invalid_video"),
                  operation, source->model);
  }
  // An extension says how long it is; an edit lasts as long as its source.
  std::optional<std::string> seconds = std::move(request.seconds);
  request.seconds.reset();
  if (use == SourceVideoUse::edit && seconds) request.seconds = seconds;
  if (auto e = only_a_prompt(request)) {
    return answer(*e, operation, source->model);
  }
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, source->model)) {
      return answer(*e, operation, source->model);
    }
  }
  std::string_view idempotency_key = trim(call.idempotency_key);
  if (auto e = idempotency_key_problem(idempotency_key)) {
    return answer(*e, operation, source->model);
  }
  request.model = source->model;
  request.seconds =
      use == SourceVideoUse::extension ? std::move(seconds) : source->seconds;
  request.size = source->size;
  std::string prompt = request.prompt;
  std::string fingerprint = idempotency_key.empty()
                                ? std::string()
                                : source_fingerprint(operation, *id, request);
  CreateContext context = create_context(call, api_base);
  context.source = SourceVideo{use,
                               *id,
                               source->task_id,
                               derive->kind.value_or(source->kind),
                               source->seconds,
                               std::make_shared<Json>(Json::object()),
                               false};
  SourceVideo read = *context.source;
  auto made = for_tenant(
      on_account(with_source_video(
                     make_create_operation(*vendor, *rule, std::move(request),
                                           std::move(context)),
                     *vendor, *source, read),
                 *vendor),
      call, std::move(prompt), {});
  return made_from(std::move(made), call, *source, *id, idempotency_key,
                   std::move(fingerprint));
}

std::unique_ptr<Operation> Gateway::begin_from_foreign(
    const ClientCall& call, SourceVideoUse use, const VideoRecord& source,
    const std::string& source_id, Vendor& source_vendor,
    ClientVideoRequest request, const std::string& api_base) const {
  const char* operation = call_name(use);
  bool extension = use == SourceVideoUse::extension;
  auto can = extension ? serves_foreign<SourceVideoUse::extension>
                       : serves_foreign<SourceVideoUse::edit>;
  std::string model = std::move(request.model);
  request.model.clear();
  auto [vendor, rule] = first_serving(model, can);
  if (!vendor) {
    const std::string& takers = models_that(can);
    return answer(
        invalid_request(
            std::string("Model '") + model.substr(0, 200) +
                "' cannot be used for an " + operation +
                " of a video another vendor made. " +
                (takers.empty()
                     ? std::string("No configured vendor takes other "
                                   "vendors' videos; leave 'model' out to "
                                   "use the video's own vendor.")
                     : "Models that can: " + takers + "."),
            std::string("model"), "unsupported_by_vendor"),
        operation, model);
  }
  request.extra.erase("video");
  std::optional<std::string> seconds = std::move(request.seconds);
  std::optional<std::string> size = std::move(request.size);
  request.seconds.reset();
  request.size.reset();
  if (request.video) {
    return answer(invalid_request("Send the video by id or as a file, not "
                                  "both.",
                                  std::string("video"), "invalid_video"),
                  operation, model);
  }
  // An edit lasts as long as its source, as at the source's own vendor.
  if (!extension && seconds) request.seconds = seconds;
  if (auto e = only_a_prompt(request)) return answer(*e, operation, model);
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, model)) {
      return answer(*e, operation, model);
    }
  }
  std::string_view idempotency_key = trim(call.idempotency_key);
  if (auto e = idempotency_key_problem(idempotency_key)) {
    return answer(*e, operation, model);
  }
  const SourceVideoRule& derive = *rule_for(vendor->rules(), use);
  request.model = model;
  request.seconds = extension ? std::move(seconds) : source.seconds;
  request.size = size ? std::move(size) : source.size;
  std::string prompt = request.prompt;
  std::string fingerprint =
      idempotency_key.empty()
          ? std::string()
          : source_fingerprint(operation, source_id, request);
  CreateContext context = create_context(call, api_base);
  context.source = SourceVideo{use,
                               source_id,
                               std::string(),
                               derive.kind.value_or(operation),
                               source.seconds,
                               std::make_shared<Json>(Json::object()),
                               true};
  Vendor& target = *vendor;
  const ModelRule& target_model = *rule;
  MakeFromVideo make =
      [this, &target, &target_model, request = std::move(request),
       context = std::move(context)](ImageInput video) mutable {
        request.images = {std::move(video)};
        return on_account(
            make_create_operation(target, target_model, std::move(request),
                                  std::move(context)),
            target);
      };
  auto made = for_tenant(
      with_foreign_source(
          with_fresh_token(source_vendor,
                           make_content_operation(source_vendor, source,
                                                  source_id, "video")),
          std::move(make),
          derive.upload
              ? ForeignSource{source_id, &target, extension,
                              derive.upload->takes_url,
                              derive.upload->takes_bytes, &derive.upload->video}
              : ForeignSource{source_id, &target, extension, derive.takes_url,
                              derive.takes_bytes, nullptr}),
      call, std::move(prompt), {});
  return made_from(std::move(made), call, source, source_id, idempotency_key,
                   std::move(fingerprint));
}

// An uploaded `video` file: the model comes from the request (the
// gateway's addition to OpenAI's fields), the default model, or the only
// one whose vendor takes uploads for this call; the upload's length from
// its MP4 header (an extension lasts it plus its own seconds).
std::unique_ptr<Operation> Gateway::begin_from_upload(
    const ClientCall& call, SourceVideoUse use, const std::string& api_base,
    ClientVideoRequest request, std::optional<ApiError> body_error) const {
  const char* operation = call_name(use);
  if (body_error) return answer(*body_error, operation);
  if (!request.video) {
    return answer(
        invalid_request("Missing required parameter: 'video' (the "
                        "id of one of your videos, {\"video\": "
                        "{\"id\": ...}}, or an uploaded file).",
                        std::string("video"), "missing_required_parameter"),
        operation);
  }
  ImageInput video = std::move(*request.video);
  request.video.reset();
  std::string model = std::move(request.model);
  request.model.clear();
  std::optional<std::string> seconds = std::move(request.seconds);
  std::optional<std::string> size = std::move(request.size);
  request.seconds.reset();
  request.size.reset();
  if (auto e = only_a_prompt(request)) return answer(*e, operation, model);
  bool extension = use == SourceVideoUse::extension;
  auto can = extension ? serves_uploads<SourceVideoUse::extension>
                       : serves_uploads<SourceVideoUse::edit>;
  const std::string& takers = models_that(can);
  model = model_for(std::move(model), takers, can);
  auto [vendor, rule] = first_serving(model, can);
  if (!vendor) {
    std::string what =
        std::string("Uploaded videos cannot be ") + done_to(use) +
        (model.empty() ? std::string()
                       : " with '" + model.substr(0, 200) + "'") +
        ". ";
    return answer(
        invalid_request(
            what + (takers.empty()
                        ? std::string("No configured vendor takes them; "
                                      "videos made through this gateway "
                                      "can be named by id.")
                        : "Name one of the models that can ('model'): " +
                              takers + "."),
            std::string(model.empty() ? "video" : "model"),
            "unsupported_by_vendor"),
        operation, model);
  }
  if (call.caller) {
    if (auto e = refuse_model(*call.caller, model)) {
      return answer(*e, operation, model);
    }
  }
  const SourceVideoRule& derive = *rule_for(vendor->rules(), use);
  if (auto e = refuse_upload(derive.upload->video, video, *vendor,
                             extension ? "extends" : "edits")) {
    return answer(*e, operation, model);
  }
  auto length = mp4_duration_seconds(video.data);
  if (!length || *length <= 0 || *length > 86400) {
    return answer(invalid_request("Invalid 'video': its length cannot be read "
                                  "(an MP4 or MOV whose moov box declares "
                                  "its duration).",
                                  std::string("video"), "invalid_video"),
                  operation, model);
  }
  std::string_view idempotency_key = trim(call.idempotency_key);
  if (auto e = idempotency_key_problem(idempotency_key)) {
    return answer(*e, operation, model);
  }
  std::string source_seconds =
      std::to_string(std::max<long>(1, std::lround(*length)));
  request.model = model;
  request.seconds = extension ? std::move(seconds) : source_seconds;
  request.size = std::move(size);
  request.images = {std::move(video)};
  std::string prompt = request.prompt;
  std::string fingerprint =
      idempotency_key.empty() ? std::string() : create_fingerprint(request);
  CreateContext context = create_context(call, api_base);
  context.source = SourceVideo{use,
                               std::string(),
                               std::string(),
                               derive.kind.value_or(operation),
                               source_seconds,
                               std::make_shared<Json>(Json::object()),
                               true};
  auto made = for_tenant(
      on_account(make_create_operation(*vendor, *rule, std::move(request),
                                       std::move(context)),
                 *vendor),
      call, std::move(prompt), {});
  if (idempotency_key.empty()) return made;
  return make_idempotent_create(
      std::move(made), idempotency_store_key(call.binding, idempotency_key),
      std::move(fingerprint));
}

std::unique_ptr<Operation> Gateway::begin_list(const ClientCall& call) const {
  ListQuery query;
  if (auto e = parse_list_query(call.args, query)) return answer(*e, "list");
  std::string after_key;
  if (!query.after.empty()) {
    auto after = sealer_.open(query.after, call.binding);
    if (!after) {
      ApiError e = invalid_request(
          "Invalid value for 'after': no video of yours has the id '" +
              query.after.substr(0, 200) + "'.",
          std::string("after"), "invalid_value");
      return answer(e, "list");
    }
    after_key = catalog_record_key(after->vendor, after->task_id);
  }
  return make_list_operation(std::move(query), catalog_owner(call.binding),
                             std::move(after_key));
}

}  // namespace vgw
