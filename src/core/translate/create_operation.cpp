#include "translate/create_operation.hpp"

#include "webhooks/callback_token.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "api/video_object.hpp"
#include "rules/scope.hpp"
#include "translate/error_mapping.hpp"
#include "translate/body_encoding.hpp"
#include "translate/create_outcome.hpp"
#include "translate/image_blobs.hpp"
#include "translate/param_normalizer.hpp"
#include "translate/rule_steps.hpp"
#include "translate/vendor_data.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

// Where an extra field goes in the vendor body: an allow entry "input.seed"
// accepts `seed` and places it under `input`; a plain entry places it under
// `extras.into` (or the root). nullopt: the field is not allowed.
std::optional<std::string> extra_target(const ExtrasRule& rule,
                                        const std::string& name) {
  std::string fallback = rule.into ? rule.into->text() : std::string();
  for (const auto& allowed : rule.allow) {
    if (allowed == "*" || allowed == name) return fallback;
    auto dot = allowed.rfind('.');
    if (dot != std::string::npos &&
        allowed.compare(dot + 1, std::string::npos, name) == 0) {
      return allowed.substr(0, dot);
    }
  }
  return std::nullopt;
}

// Sets body.<path>.<key>, creating objects on the way; false when something
// on the path is not an object.
bool set_at(Json& body, std::string_view path, const std::string& key,
            Json value) {
  Json* target = &body;
  for (auto part : split(path, '.')) {
    if (part.empty()) continue;
    if (!target->is_object()) return false;
    target = &(*target)[std::string(part)];
    if (target->is_null()) *target = Json::object();
  }
  if (!target->is_object()) return false;
  (*target)[key] = std::move(value);
  return true;
}

// "5" + "5" is "10"; lengths a vendor gives in fractions add up as
// decimals.
std::string add_seconds(std::string_view a, std::string_view b) {
  auto x = parse_uint(a), y = parse_uint(b);
  if (x && y) return std::to_string(*x + *y);
  auto decimal = [](std::string_view s) {
    return std::strtod(std::string(s).c_str(), nullptr);
  };
  char out[32];
  std::snprintf(out, sizeof out, "%g", decimal(a) + decimal(b));
  return out;
}

ApiError unknown_argument(const std::string& param) {
  return invalid_request("Unrecognized request argument supplied: " + param,
                         param, "unknown_parameter");
}

class CreateOperation : public Operation {
 public:
  CreateOperation(Vendor& vendor, const ModelRule& model,
                  ClientVideoRequest request, CreateContext context)
      : vendor_(vendor),
        model_(model),
        request_(std::move(request)),
        blobs_(request_.images, request_.large, context.client_body),
        context_(std::move(context)),
        steps_(request_rule().steps) {
    facts_.operation = context_.remix     ? "remix"
                       : !context_.source ? "create"
                       : context_.source->use == SourceVideoUse::extension
                           ? "extension"
                           : "edit";
    facts_.vendor = vendor.vendor_name();
    facts_.account = vendor.name();
    facts_.model = request_.model;
  }

  // Again after each step or image download, which may change its names.
  Step start(int64_t now) override {
    if (started_at_ == 0) started_at_ = now;
    ignored_.clear();
    const VendorRules& rules = vendor_.rules();
    if (auto e = missing_credential(vendor_)) {
      facts_.try_next_account = true;
      return finish(*e);
    }
    if (!context_.source && request_.images.size() > rules.create.max_images) {
      return finish(invalid_request(
          rules.create.max_images == 0
              ? "Model '" + request_.model +
                    "' does not accept reference images."
              : "Model '" + request_.model + "' accepts at most " +
                    std::to_string(rules.create.max_images) +
                    " reference image(s).",
          request_.images.front().param, "too_many_images"));
    }
    if (rules.create.fetch_image_urls && !context_.source) {
      if (auto fetch = next_image_fetch()) return *fetch;
    }
    const SecondsRule* seconds_rule =
        context_.source
            ? source_rule().seconds ? &*source_rule().seconds : nullptr
        : model_.seconds ? &*model_.seconds
                         : &rules.seconds;
    const SizeRule& size_rule = model_.size ? *model_.size : rules.size;
    if (seconds_rule) {
      if (auto e = normalize_seconds(*seconds_rule, request_.seconds,
                                     request_.model, seconds_)) {
        return finish(*e);
      }
    } else {
      seconds_ = request_.seconds.value_or("");  // an edit: its source's
    }
    if (auto e =
            normalize_size(size_rule, request_.size, request_.model, size_)) {
      return finish(*e);
    }
    if (context_.source && context_.source->use == SourceVideoUse::extension) {
      total_seconds_ = add_seconds(context_.source->seconds, seconds_);
    }
    facts_.seconds = video_seconds();
    // (target path, field, value) for every vendor extra the client sent.
    std::vector<std::tuple<std::string, std::string, Json>> extras;
    auto add_extra = [&](const std::string& key, const Json& value,
                         const std::string& param) -> std::optional<ApiError> {
      const auto& ignore = rules.create.extras.ignore;
      if (std::find(ignore.begin(), ignore.end(), key) != ignore.end()) {
        ignored_.push_back(param);
        return std::nullopt;
      }
      auto target = extra_target(rules.create.extras, key);
      if (!target) return unknown_argument(param);
      extras.emplace_back(*target, key, value);
      return std::nullopt;
    };
    for (const auto& [key, value] : request_.extra.items()) {
      if (auto e = add_extra(key, value, key)) return finish(*e);
    }
    for (const auto& [key, value] : request_.metadata.items()) {
      if (auto e = add_extra(key, value, "metadata." + key)) return finish(*e);
    }

    NameScope scope(*this);
    if (context_.remix) {
      // The new task is queried the way its source is.
      kind_ = context_.remix->kind;
    } else if (context_.source) {
      kind_ = context_.source->kind;
    } else {
      for (const auto& kind : rules.create.kinds) {
        if (kind.when.empty() || kind.when.test(scope)) {
          kind_ = kind.name;
          break;
        }
      }
    }
    scope.set_kind(kind_);
    for (const auto& check : rules.create.refuse) {
      if (check.refuse_when.test(scope)) {
        return finish(invalid_request(
            check.message,
            check.param.empty() ? std::nullopt
                                : std::optional<std::string>(check.param),
            "unsupported_by_vendor"));
      }
    }

    if (steps_.pending()) {
      auto call = steps_.next_call(vendor_, scope, now);
      if (!call) return finish(RuleSteps::no_path());
      return Step::call_vendor(std::move(*call));
    }
    const RequestRule& rule = request_rule();
    UpstreamCall call;
    call.method = rule.method;
    call.headers.reserve(kTypicalCallHeaders);
    auto path = rule.path.render_text(scope);
    if (!path)
      return finish(
          internal_error("The vendor rules produced no create path."));
    call.url = vendor_.url_for(*path);
    // Sealed into the id after what the rules carry (the order is part of
    // the id).
    auto carry_echoed = [&] {
      for (const auto& [key, value] : request_.echo.items()) {
        carried_.emplace_back(kEchoPrefix + key, value.dump());
      }
    };
    EncodedBody encoded;
    if (rule.format == BodyFormat::json && extras.empty() &&
        rules.create.carry.empty() && !request_.callback_url) {
      // Nothing reads or amends the body once it is rendered: it is
      // written as text as it renders, without a document in between.
      carry_echoed();
      std::string text;
      // Room for the template's own text and the prompt: no regrowth.
      text.reserve(512 + request_.prompt.size());
      if (!rule.body || !rule.body->render_json(scope, text)) text = "{}";
      encoded = encode_json_text(std::move(text), blobs_);
    } else {
      Json body = Json::object();
      if (rule.body) {
        auto rendered = rule.body->render(scope);
        if (rendered) body = std::move(*rendered);
      }
      for (const auto& [path, key, value] : extras) {
        if (!set_at(body, path, key, value)) {
          return finish(internal_error(
              "The vendor rules' extras target is not an object."));
        }
      }
      scope.set_body(body);
      for (const auto& [name, tmpl] : rules.create.carry) {
        if (auto v = tmpl.render_text(scope)) carried_.emplace_back(name, *v);
      }
      carry_echoed();
      if (request_.callback_url) {
        if (auto e = ask_vendor_to_call_back(body)) return finish(*e);
      }
      encoded = encode_body(rule.format, body, blobs_);
    }
    call.body = std::move(encoded.body.bytes);
    call.inserts = std::move(encoded.body.inserts);
    call.headers.push_back({"Content-Type", std::move(encoded.content_type)});
    for (const auto& [name, tmpl] : rule.headers) {
      auto v = tmpl.render_text(scope);
      if (v && !has_control_chars(*v)) call.headers.push_back({name, *v});
    }
    vendor_.sign(call, now);
    return Step::call_vendor(std::move(call));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (fetching_) {
      if (auto e = take_fetched_image(reply)) return finish(*e);
      return start(now);  // the next image, or the create itself
    }
    if (steps_.awaiting()) {
      if (auto e = steps_.take_reply(vendor_, CallPhase::prepare, reply, now)) {
        // No task exists yet: another account of a pool may take it.
        facts_.try_next_account = steps_.refused_account();
        return finish(*e);
      }
      return start(now);  // the next step, or the create itself
    }
    CreatedId created =
        read_created_id(vendor_, reply, reply_task_path(),
                        vendor_.rules().create.task_id_is_path, "video", now);
    if (created.error) {
      facts_.try_next_account = created.try_next_account;
      // The access log ($vgw_task_id) keeps an unusable id for
      // reconciliation.
      if (!created.unusable_id.empty()) {
        facts_.task_id = percent_encode(
            std::string_view(created.unusable_id).substr(0, 512));
      }
      return finish(*created.error);
    }
    std::string task_id = std::move(created.id);
    VideoRecord record = this_video();
    record.task_id = task_id;
    // The create ends here: what the video shows is moved out of the
    // operation, not copied.
    VideoView view;
    view.id = context_.sealer.seal(record, context_.binding);
    view.model = std::move(record.model);
    view.status = VideoStatus::queued;
    view.progress = 0;
    view.created_at = started_at_;
    view.prompt = std::move(request_.prompt);
    view.size = std::move(record.size);
    view.seconds = std::move(record.seconds);
    view.metadata = std::move(request_.echo);
    if (context_.remix) view.remixed_from = context_.remix->video_id;
    facts_.task_id = std::move(task_id);
    facts_.size = size_;
    facts_.status = "queued";
    facts_.created_at = started_at_;
    HttpResponse r;
    r.body = render_video(view);
    facts_.video_id = std::move(view.id);
    if (!ignored_.empty()) {
      std::string names;
      for (const auto& n : ignored_) names += (names.empty() ? "" : ", ") + n;
      r.headers.push_back({"x-vgw-ignored-parameters", names});
    }
    return finish(std::move(r));
  }

 private:
  ApiError image_refused(const ImageInput& img, const std::string& why) {
    return invalid_request("The image URL cannot be used: " + why + ".",
                           img.param, "invalid_image_url");
  }

  // Downloads the first image still given as a URL, for vendors that take
  // bytes only: never from an internal address unless the operator allows
  // the host, and (for names) from the address that was checked.
  std::optional<Step> next_image_fetch() {
    for (size_t i = 0; i < request_.images.size(); ++i) {
      const ImageInput& img = request_.images[i];
      if (img.kind != ImageInput::Kind::url) continue;
      auto url = parse_url(img.data);
      if (!url) return finish(image_refused(img, "it is not an http(s) URL"));
      if (auto why = refuse_client_target(*url, context_.image_fetch)) {
        return finish(image_refused(img, *why));
      }
      fetching_ = true;
      fetch_index_ = i;
      fetch_ = UpstreamCall{};
      fetch_.url = std::string(img.data);
      fetch_.headers = {{"Accept", "image/*"}, {"Accept-Encoding", "identity"}};
      fetch_.deadline_seconds = context_.image_fetch_timeout;
      fetch_.client_host = true;
      if (auto name = name_to_resolve(*url)) return Step::resolve(*name);
      return Step::call_vendor(fetch_);
    }
    return std::nullopt;
  }

  Step on_resolved(const ResolvedHost& host, int64_t) override {
    const ImageInput& img = request_.images[fetch_index_];
    auto url = parse_url(img.data);
    if (!url) return finish(image_refused(img, "it is not an http(s) URL"));
    if (auto why = pin_client_target(fetch_, *url, host.addresses,
                                     context_.image_fetch)) {
      return finish(image_refused(img, *why));
    }
    return Step::call_vendor(fetch_);
  }

  // The client learns whether the image could be used, never what a server
  // answered (no status codes or bodies: that would map a network).
  std::optional<ApiError> take_fetched_image(const UpstreamReply& reply) {
    fetching_ = false;
    ImageInput& img = request_.images[fetch_index_];
    auto failed = [&](const std::string& why) {
      return invalid_request("Could not use the image at '" +
                                 std::string(img.data.substr(0, 200)) +
                                 "': " + why + ". Upload the image instead.",
                             img.param, "image_fetch_failed");
    };
    if (reply.too_large) return failed("it is larger than the gateway fetches");
    if (reply.timed_out) return failed("it did not download in time");
    if (reply.status != 200 || reply.truncated || reply.unreadable) {
      return failed("it could not be downloaded");
    }
    std::string mime = sniff_image_type(reply.body);
    if (mime.empty()) return failed("it is not a PNG, JPEG, WebP or GIF image");
    request_.owned_text.emplace_back(reply.body);
    img.kind = ImageInput::Kind::bytes;
    img.data = request_.owned_text.back();
    img.mime = std::move(mime);
    img.filename = "input_reference";
    return std::nullopt;
  }

  // Everything the id seals, except the vendor's task id (known once the
  // vendor answers; a callback token is sealed before that).
  VideoRecord this_video() const {
    VideoRecord record;
    record.vendor = vendor_.name();
    record.kind = kind_;
    record.model = request_.model;
    record.seconds = video_seconds();
    record.size = size_;
    record.created_at = started_at_;
    record.carried = carried_;
    return record;
  }

  // The vendor gets the gateway's own callback URL, whose sealed token holds
  // everything to rebuild this video's id and reach the client's URL (see
  // webhooks/callback_operation.cpp); the client's URL never reaches it.
  std::optional<ApiError> ask_vendor_to_call_back(Json& body) {
    const auto& rule = vendor_.rules().create.callback;
    if (!rule) {
      return invalid_request(
          "Vendor '" + vendor_.name() +
              "' cannot send completion callbacks; poll GET /v1/videos/{id} "
              "instead.",
          "callback_url", "unsupported_by_vendor");
    }
    if (auto why = context_.webhooks.refuse(*request_.callback_url)) {
      return invalid_request("Invalid 'callback_url': " + *why + ".",
                             "callback_url", "invalid_callback_url");
    }
    if (context_.api_base.empty()) {
      return internal_error("The gateway has no public URL for callbacks.");
    }
    CallbackTarget target{*request_.callback_url,
                          VideoIdSealer::binding_digest(context_.binding),
                          context_.tenant};
    std::string url =
        context_.api_base + "vgw/callbacks/" +
        seal_callback_token(context_.sealer, this_video(), target);
    const std::string into = rule->into.text();
    auto dot = into.rfind('.');
    if (!set_at(body, dot == std::string::npos ? "" : into.substr(0, dot),
                dot == std::string::npos ? into : into.substr(dot + 1),
                Json(url))) {
      return internal_error(
          "The vendor rules' callback target is not an object.");
    }
    return std::nullopt;
  }

  Json image_object(size_t index) const { return blobs_.rules_value(index); }

  // A name of the create's scope, built only when a rule reads it (most
  // rules read four or five of them, on every create).
  // The names that are plain strings (scope_value() builds the same).
  std::optional<std::string_view> scope_text(std::string_view name) const {
    if (name == "prompt") return request_.prompt;
    if (name == "task_id" && context_.remix) return context_.remix->task_id;
    if (name == "task_id" && context_.source) return context_.source->task_id;
    if (name == "model") return request_.model;
    if (name == "vendor_model") {
      return model_.vendor_model.empty() ? request_.model : model_.vendor_model;
    }
    if (name == "seconds") return seconds_;
    if (name == "size") return size_;
    return std::nullopt;
  }

  std::optional<Json> scope_value(std::string_view name) const {
    if (auto text = scope_text(name)) return Json(std::string(*text));
    if (context_.source && context_.source->uploaded) {
      // The upload is the request's only image, and it is no image.
      if (name == "video") return image_object(0);
      if (name == "image" || name == "images") return std::nullopt;
      if (name == "image_count") return Json(0);
    }
    if (name == "video" && context_.source) {
      // The source's own file, where its status reply names it.
      auto it = context_.source->fields->find("video");
      if (it == context_.source->fields->end() || !it->is_string())
        return std::nullopt;
      Json value = Json::object();
      add_url_value(value, it->get<std::string>());
      return value;
    }
    if (name == "width" || name == "height") {
      auto dimensions = parse_size(size_);
      if (!dimensions) return std::nullopt;
      return Json(name == "width" ? dimensions->width : dimensions->height);
    }
    if (name == "image_count") return Json(request_.images.size());
    if (name == "image") {
      if (request_.images.empty()) return std::nullopt;
      return image_object(0);
    }
    if (name == "images") {
      Json images = Json::array();
      images.get_ref<Json::array_t&>().reserve(request_.images.size());
      for (size_t i = 0; i < request_.images.size(); ++i)
        images.push_back(image_object(i));
      return images;
    }
    return std::nullopt;
  }

  // Where a create's rules look names up: the client's metadata, the
  // vendor's params and the body being built are referred to, not copied;
  // the rest (scope_value()) is built on first use.
  class NameScope : public Scope {
   public:
    explicit NameScope(const CreateOperation& op) : op_(op) {}
    void set_kind(const std::string& kind) { kind_ = Json(kind); }
    void set_body(const Json& body) { body_ = &body; }

    std::optional<std::string_view> text(const JsonPath& path) const override {
      const std::string* root = path.root_name();
      if (root == nullptr || path.size() != 1) return std::nullopt;
      return op_.scope_text(*root);
    }

    const Json* lookup(const JsonPath& path) const override {
      const std::string* root = path.root_name();
      if (root == nullptr) return nullptr;
      std::string_view name = *root;
      if (name == "metadata") return path.find_from(op_.request_.metadata, 1);
      if (name == "param") return path.find_from(op_.vendor_.params(), 1);
      if (name == "body") {
        return body_ ? path.find_from(*body_, 1) : nullptr;
      }
      if (name == "kind") {
        return kind_.is_null() ? nullptr : path.find_from(kind_, 1);
      }
      if (name == "steps") return path.find_from(op_.steps_.names(), 1);
      if (name == "source") {
        return op_.context_.source
                   ? path.find_from(*op_.context_.source->fields, 1)
                   : nullptr;
      }
      return names_.find(
          path, name, [&](std::string_view n) { return op_.scope_value(n); });
    }

   private:
    const CreateOperation& op_;
    Json kind_;
    const Json* body_ = nullptr;
    BuiltNames names_;
  };

  // The gateway makes a remix, an extension or an edit only for a vendor
  // with its rules.
  const SourceVideoRule& source_rule() const {
    return context_.source->use == SourceVideoUse::extension
               ? *vendor_.rules().extend
               : *vendor_.rules().edit;
  }

  const RequestRule& request_rule() const {
    if (context_.remix) return vendor_.rules().remix->request;
    if (context_.source) {
      // An upload, or another vendor's file: the upload request where
      // there is one, else the request (which takes another vendor's file
      // as it takes its own).
      return context_.source->uploaded && source_rule().upload
                 ? source_rule().upload->request
                 : source_rule().request;
    }
    return vendor_.rules().create.request;
  }

  const JsonPath& reply_task_path() const {
    const VendorRules& rules = vendor_.rules();
    if (context_.remix && rules.remix->task_id) return *rules.remix->task_id;
    if (context_.source && source_rule().task_id) return *source_rule().task_id;
    return rules.create.task_id;
  }

  // What the Video says it lasts: an extension's is the stitched total.
  const std::string& video_seconds() const {
    return total_seconds_.empty() ? seconds_ : total_seconds_;
  }

  Vendor& vendor_;
  const ModelRule& model_;
  ClientVideoRequest request_;
  ImageBlobs blobs_;
  CreateContext context_;
  int64_t started_at_ = 0;
  bool fetching_ = false;  // the pending call downloads an image URL
  size_t fetch_index_ = 0;
  UpstreamCall fetch_;
  std::string seconds_;
  std::string total_seconds_;  // an extension's, with its source's
  std::string size_;
  std::string kind_;
  std::vector<std::pair<std::string, std::string>> carried_;
  std::vector<std::string> ignored_;  // accepted, not sent (extras.ignore)
  RuleSteps steps_;
};

}  // namespace

std::unique_ptr<Operation> make_create_operation(Vendor& vendor,
                                                 const ModelRule& model,
                                                 ClientVideoRequest request,
                                                 CreateContext context) {
  return std::make_unique<CreateOperation>(vendor, model, std::move(request),
                                           std::move(context));
}

}  // namespace vgw
