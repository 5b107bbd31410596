#include "translate/character_operation.hpp"

#include <vector>

#include "rules/scope.hpp"
#include "translate/body_encoding.hpp"
#include "translate/create_outcome.hpp"
#include "translate/image_blobs.hpp"
#include "translate/rule_steps.hpp"
#include "translate/upload_limits.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

class CharacterOperation : public Operation {
 public:
  CharacterOperation(Vendor& vendor, const ModelRule& model,
                     CharacterRequest request, CharacterContext context)
      : vendor_(vendor),
        model_(model),
        request_(std::move(request)),
        uploads_{request_.video},
        blobs_(uploads_, no_large_strings_, context.client_body),
        context_(std::move(context)),
        steps_(vendor.rules().character->request.steps) {
    facts_.operation = "character";
    facts_.vendor = vendor.vendor_name();
    facts_.account = vendor.name();
    facts_.model = request_.model;
  }

  // Again after each of the request's steps.
  Step start(int64_t now) override {
    if (started_at_ == 0) started_at_ = now;
    if (auto e = missing_credential(vendor_)) return finish(*e);
    const CharacterRule& rule = *vendor_.rules().character;
    if (auto e = refuse_upload(rule.video, request_.video, vendor_,
                               "makes characters from")) {
      return finish(*e);
    }
    Names scope(*this);
    if (steps_.pending()) {
      auto call = steps_.next_call(vendor_, scope, now);
      if (!call) return finish(RuleSteps::no_path());
      return Step::call_vendor(std::move(*call));
    }
    UpstreamCall call;
    call.method = rule.request.method;
    auto path = rule.request.path.render_text(scope);
    if (!path) {
      return finish(
          internal_error("The vendor rules produced no character path."));
    }
    call.url = vendor_.url_for(*path);
    Json body = Json::object();
    if (rule.request.body) {
      if (auto rendered = rule.request.body->render(scope)) {
        body = std::move(*rendered);
      }
    }
    EncodedBody encoded = encode_body(rule.request.format, body, blobs_);
    call.body = std::move(encoded.body.bytes);
    call.inserts = std::move(encoded.body.inserts);
    call.headers.push_back({"Content-Type", std::move(encoded.content_type)});
    for (const auto& [name, tmpl] : rule.request.headers) {
      auto v = tmpl.render_text(scope);
      if (v && !has_control_chars(*v)) call.headers.push_back({name, *v});
    }
    vendor_.sign(call, now);
    return Step::call_vendor(std::move(call));
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    if (steps_.awaiting()) {
      if (auto e = steps_.take_reply(vendor_, CallPhase::prepare, reply, now))
        return finish(*e);
      return start(now);
    }
    CreatedId created = read_created_id(
        vendor_, reply, vendor_.rules().character->id, false, "character", now);
    if (created.error) return finish(*created.error);
    VideoRecord record;
    record.vendor = vendor_.name();
    record.task_id = std::move(created.id);
    record.kind = "character";
    record.model = request_.model;
    record.created_at = started_at_;
    record.carried.emplace_back(kCharacterName, request_.name);
    std::string id =
        context_.sealer.seal(record, context_.binding, SealedKind::character);
    facts_.task_id = record.task_id;
    facts_.video_id = id;
    facts_.created_at = started_at_;
    return finish(character_response(id, record));
  }

 private:
  // What the rules read: the upload through its filters, the name, the
  // model it is for, and the vendor's params.
  class Names : public Scope {
   public:
    explicit Names(const CharacterOperation& op) : op_(op) {}
    std::optional<std::string_view> text(const JsonPath& path) const override {
      if (path.size() != 1) return std::nullopt;
      return op_.text_of(path.root());
    }
    const Json* lookup(const JsonPath& path) const override {
      const std::string& root = path.root();
      if (root == "param") return path.find_from(op_.vendor_.params(), 1);
      if (root == "steps") return path.find_from(op_.steps_.names(), 1);
      return names_.find(path, root, [&](std::string_view name) {
        return op_.name_value(name);
      });
    }

   private:
    const CharacterOperation& op_;
    BuiltNames names_;
  };

  std::optional<Json> name_value(std::string_view name) const {
    if (name == "video") return blobs_.rules_value(0);
    if (auto text = text_of(name)) return Json(std::string(*text));
    return std::nullopt;
  }

  std::optional<std::string_view> text_of(std::string_view name) const {
    if (name == "name") return request_.name;
    if (name == "model") return request_.model;
    if (name == "vendor_model") {
      return model_.vendor_model.empty() ? request_.model : model_.vendor_model;
    }
    return std::nullopt;
  }

  Vendor& vendor_;
  const ModelRule& model_;
  CharacterRequest request_;
  std::vector<ImageInput> uploads_;
  LargeStrings no_large_strings_;
  ImageBlobs blobs_;
  CharacterContext context_;
  RuleSteps steps_;
  int64_t started_at_ = 0;
};

}  // namespace

std::unique_ptr<Operation> make_character_operation(Vendor& vendor,
                                                    const ModelRule& model,
                                                    CharacterRequest request,
                                                    CharacterContext context) {
  return std::make_unique<CharacterOperation>(vendor, model, std::move(request),
                                              std::move(context));
}

HttpResponse character_response(const std::string& id,
                                const VideoRecord& record) {
  std::string name;
  for (const auto& [key, value] : record.carried) {
    if (key == kCharacterName) name = value;
  }
  std::string body = "{\"id\":";
  append_json_string(body, id);
  body += ",\"created_at\":";
  body += std::to_string(record.created_at);
  body += ",\"name\":";
  append_json_string(body, name);
  body += '}';
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

}  // namespace vgw
