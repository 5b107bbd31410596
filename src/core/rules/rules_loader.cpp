#include <cctype>

#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"
#include "rules/yaml_json.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

using Roots = std::set<std::string>;

const Roots kCreateRoots = {"model",  "vendor_model", "prompt",   "seconds",
                            "size",   "width",        "height",   "image",
                            "images", "image_count",  "metadata", "kind",
                            "param"};
const Roots kCallRoots = {"task_id",  "kind", "model",   "vendor_model",
                          "seconds",  "size", "carried", "variant",
                          "base_url", "param"};
const Roots kCredentialRoots = {"cred", "param"};
// A remix is a create that also knows its source task.
const Roots kRemixRoots = [] {
  Roots roots = kCreateRoots;
  roots.insert("task_id");
  return roots;
}();

// An extension or an edit also knows what its source's status reply said,
// and the source's file as a media value (`video`).
const Roots kSourceVideoRoots = [] {
  Roots roots = kRemixRoots;
  roots.insert({"source", "video"});
  return roots;
}();

// An extension or edit of an uploaded video knows the upload instead.
const Roots kSourceUploadRoots = [] {
  Roots roots = kCreateRoots;
  roots.insert("video");
  return roots;
}();

// A character's request knows its name and the uploaded video.
const Roots kCharacterRoots = {"name", "video", "model", "vendor_model",
                               "param"};

YAML::Node required(const YAML::Node& map, const char* key,
                    const std::string& section) {
  YAML::Node v = map[key];
  if (!v) {
    throw RuleError(section + " needs '" + key + "'", yaml_line(map));
  }
  return v;
}

JsonPath path_at(const YAML::Node& node, const char* what) {
  try {
    return JsonPath::parse(yaml_string(node, what));
  } catch (const RuleError& e) {
    throw RuleError(e.what(), yaml_line(node));
  }
}

std::optional<JsonPath> optional_path(const YAML::Node& map, const char* key) {
  YAML::Node v = map[key];
  if (!v) return std::nullopt;
  return path_at(v, key);
}

Expression expression_at(const YAML::Node& node, const Roots* roots) {
  Expression e;
  try {
    e = Expression::compile(yaml_string(node, "expression"));
  } catch (const RuleError& err) {
    throw RuleError(err.what(), yaml_line(node));
  }
  if (roots) {
    for (const auto& r : e.roots()) {
      if (!roots->count(r)) {
        throw RuleError("unknown name '" + r + "' in expression",
                        yaml_line(node));
      }
    }
  }
  return e;
}

std::vector<std::string> string_list(const YAML::Node& node, const char* what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    throw RuleError(std::string(what) + " must be a list", yaml_line(node));
  }
  for (const auto& item : node) out.push_back(yaml_string(item, what));
  return out;
}

uint32_t positive_int(const YAML::Node& node, const char* what,
                      int64_t max = 100000) {
  Json v = yaml_to_json(node);
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 ||
      v.get<int64_t>() > max) {
    throw RuleError(std::string(what) + " must be a positive integer",
                    yaml_line(node));
  }
  return static_cast<uint32_t>(v.get<int64_t>());
}

OnUnsupported parse_unsupported(const YAML::Node& node) {
  std::string s = yaml_string(node, "unsupported");
  if (s == "reject") return OnUnsupported::reject;
  if (s == "nearest") return OnUnsupported::nearest;
  throw RuleError("unsupported must be 'reject' or 'nearest'", yaml_line(node));
}

SecondsRule parse_seconds(const YAML::Node& y) {
  only_keys(y, {"supported", "default", "unsupported"}, "seconds");
  SecondsRule r;
  if (y["supported"]) {
    for (const auto& item : y["supported"]) {
      r.supported.push_back(positive_int(item, "seconds.supported"));
    }
  }
  if (y["default"])
    r.default_value = positive_int(y["default"], "seconds.default");
  if (y["unsupported"]) r.unsupported = parse_unsupported(y["unsupported"]);
  // What a create that names no length gets is the vendor's to say.
  if (!r.default_value && r.supported.empty()) {
    throw RuleError("seconds needs a 'default' (or a 'supported' list)",
                    yaml_line(y));
  }
  return r;
}

SizeRule parse_size_rule(const YAML::Node& y) {
  only_keys(y, {"supported", "default", "unsupported"}, "size");
  SizeRule r;
  if (y["supported"]) {
    for (const auto& item : y["supported"]) {
      std::string s = yaml_string(item, "size.supported");
      if (!parse_size(s)) {
        throw RuleError("size '" + s + "' is not WIDTHxHEIGHT",
                        yaml_line(item));
      }
      r.supported.push_back(s);
    }
  }
  if (y["default"]) {
    r.default_value = yaml_string(y["default"], "size.default");
    if (!parse_size(*r.default_value)) {
      throw RuleError("size.default is not WIDTHxHEIGHT",
                      yaml_line(y["default"]));
    }
  }
  if (y["unsupported"]) r.unsupported = parse_unsupported(y["unsupported"]);
  if (!r.default_value && r.supported.empty()) {
    throw RuleError("size needs a 'default' (or a 'supported' list)",
                    yaml_line(y));
  }
  return r;
}

std::vector<ModelRule> parse_models(const YAML::Node& y) {
  if (!y.IsSequence() || y.size() == 0) {
    throw RuleError("models must be a non-empty list", yaml_line(y));
  }
  std::vector<ModelRule> out;
  for (const auto& item : y) {
    ModelRule m;
    if (item.IsScalar()) {
      m.pattern = item.Scalar();
    } else {
      only_keys(item, {"name", "vendor_model", "seconds", "size"}, "models[]");
      m.pattern = yaml_string(required(item, "name", "models[]"), "name");
      if (item["vendor_model"]) {
        m.vendor_model = yaml_string(item["vendor_model"], "vendor_model");
      }
      if (item["seconds"]) m.seconds = parse_seconds(item["seconds"]);
      if (item["size"]) m.size = parse_size_rule(item["size"]);
    }
    if (m.pattern.empty()) throw RuleError("empty model name", yaml_line(item));
    out.push_back(std::move(m));
  }
  return out;
}

NamedTemplates named_templates(const YAML::Node& y, const Roots& roots,
                               const char* what) {
  NamedTemplates out;
  if (!y) return out;
  if (!y.IsMap())
    throw RuleError(std::string(what) + " must be a mapping", yaml_line(y));
  for (const auto& kv : y) {
    std::string name = kv.first.Scalar();
    if (has_control_chars(name) || name.find(':') != std::string::npos) {
      throw RuleError("bad header name '" + name + "'", yaml_line(kv.first));
    }
    out.emplace_back(name, ValueTemplate::compile(kv.second, roots));
  }
  return out;
}

RequestRule parse_request(const YAML::Node& y, const Roots& roots,
                          const std::string& section) {
  only_keys(y, {"method", "path", "format", "body", "headers"}, section);
  RequestRule r;
  if (y["format"]) {
    std::string f = yaml_string(y["format"], "format");
    if (f == "json") {
      r.format = BodyFormat::json;
    } else if (f == "multipart") {
      r.format = BodyFormat::multipart;
    } else {
      throw RuleError("format must be json or multipart",
                      yaml_line(y["format"]));
    }
  }
  if (y["method"]) {
    r.method = yaml_string(y["method"], "method");
    if (r.method != "GET" && r.method != "POST" && r.method != "DELETE" &&
        r.method != "PUT") {
      throw RuleError("method must be GET, POST, PUT or DELETE",
                      yaml_line(y["method"]));
    }
  }
  YAML::Node path = required(y, "path", section);
  std::string p = yaml_string(path, "path");
  if (!starts_with(p, "/"))
    throw RuleError("path must start with '/'", yaml_line(path));
  r.path = ValueTemplate::from_string(p, roots, yaml_line(path));
  if (y["body"]) r.body = ValueTemplate::compile(y["body"], roots);
  r.headers = named_templates(y["headers"], roots, "headers");
  return r;
}

// The filters, or the names, a request's templates read.
std::set<std::string> request_reads(const RequestRule& request, bool filters) {
  std::set<std::string> read;
  auto add = [&](const ValueTemplate& t) {
    const auto& names = filters ? t.filters() : t.names_read();
    read.insert(names.begin(), names.end());
  };
  add(request.path);
  if (request.body) add(*request.body);
  for (const auto& [name, value] : request.headers) add(value);
  return read;
}

// How a request sends media, from the filters it reads.
struct MediaReads {
  bool url = false;    // |url, |url_or_*
  bool bytes = false;  // |base64, |data_url, |bytes, |url_or_*
};
MediaReads media_reads(const RequestRule& request) {
  std::set<std::string> read = request_reads(request, true);
  bool either = read.count("url_or_base64") || read.count("url_or_data_url");
  return MediaReads{either || read.count("url") > 0,
                    either || read.count("base64") || read.count("data_url") ||
                        read.count("bytes")};
}

// A vendor that takes image bytes only (Veo): its create call reads
// images through the byte filters and never their URL.
bool reads_image_bytes_only(const RequestRule& request) {
  MediaReads reads = media_reads(request);
  return reads.bytes && !reads.url;
}

// A name a step reads, as rules write it after `steps.`.
bool is_step_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  }
  return true;
}

// A section's `steps:`, whose requests see `roots` and what the steps
// before them read (${steps.NAME}).
std::vector<StepRule> parse_steps(const YAML::Node& y, Roots roots,
                                  const std::string& section) {
  std::vector<StepRule> out;
  if (!y) return out;
  const std::string at = section + ".steps";
  if (!y.IsSequence() || y.size() == 0) {
    throw RuleError(at + " must be a list of {request, read}", yaml_line(y));
  }
  roots.insert("steps");
  std::set<std::string> names;
  for (const auto& item : y) {
    only_keys(item, {"request", "read"}, at + "[]");
    StepRule step;
    step.request = parse_request(required(item, "request", at + "[]"), roots,
                                 at + "[].request");
    // A step's body is written as JSON, without the gateway's media
    // encoding: images and videos go in the section's own call.
    if (step.request.format == BodyFormat::multipart ||
        !request_reads(step.request, true).empty()) {
      throw RuleError(at + "[].request sends JSON without images or videos "
                           "(no format: multipart, no ${image|...})",
                      yaml_line(item["request"]));
    }
    if (const YAML::Node read = item["read"]) {
      if (!read.IsMap()) {
        throw RuleError(at + "[].read must be a mapping of name: reply path",
                        yaml_line(read));
      }
      for (const auto& kv : read) {
        const std::string name = kv.first.Scalar();
        if (!is_step_name(name)) {
          throw RuleError("bad step name '" + name +
                              "': letters, digits and '_', not first a digit",
                          yaml_line(kv.first));
        }
        if (!names.insert(name).second) {
          throw RuleError("step name '" + name + "' is read twice",
                          yaml_line(kv.first));
        }
        JsonPath path = path_at(kv.second, "read");
        if (path.filter()) {
          throw RuleError("a step reads a reply's value as it is (no filter)",
                          yaml_line(kv.second));
        }
        step.read.emplace_back(name, std::move(path));
      }
    }
    out.push_back(std::move(step));
  }
  return out;
}

// A section's own call (`request`) after its `steps`, which it may read.
RequestRule parse_section_request(const YAML::Node& y, Roots roots,
                                  const std::string& section) {
  std::vector<StepRule> steps = parse_steps(y["steps"], roots, section);
  if (!steps.empty()) roots.insert("steps");
  RequestRule r = parse_request(required(y, "request", section), roots,
                                section + ".request");
  r.steps = std::move(steps);
  return r;
}

CreateRule parse_create(const YAML::Node& y) {
  if (y["fetch_image_urls"]) {
    throw RuleError(
        "'fetch_image_urls' is implied now: a create that reads images only "
        "as bytes (|base64, |data_url, |bytes, never |url) gets image URLs "
        "downloaded by the gateway",
        yaml_line(y["fetch_image_urls"]));
  }
  only_keys(y,
            {"kinds", "refuse", "request", "extras", "task_id", "max_images",
             "carry", "callback", "steps"},
            "create");
  CreateRule c;
  if (y["kinds"]) {
    for (const auto& k : y["kinds"]) {
      only_keys(k, {"name", "when"}, "create.kinds[]");
      CreateKind kind;
      kind.name = yaml_string(required(k, "name", "create.kinds[]"), "name");
      if (k["when"]) kind.when = expression_at(k["when"], &kCreateRoots);
      c.kinds.push_back(std::move(kind));
    }
  }
  if (c.kinds.empty()) c.kinds.push_back(CreateKind{"default", Expression()});
  if (!c.kinds.back().when.empty()) {
    throw RuleError("the last create kind must have no 'when' (the fallback)",
                    yaml_line(y["kinds"]));
  }
  c.request = parse_section_request(y, kCreateRoots, "create");
  if (y["extras"]) {
    only_keys(y["extras"], {"allow", "ignore", "into"}, "create.extras");
    if (y["extras"]["ignore"])
      c.extras.ignore = string_list(y["extras"]["ignore"], "extras.ignore");
    if (y["extras"]["allow"]) {
      c.extras.allow = string_list(y["extras"]["allow"], "extras.allow");
    }
    c.extras.into = optional_path(y["extras"], "into");
  }
  const YAML::Node task_id = required(y, "task_id", "create");
  if (task_id.IsMap()) {
    // {from: name, format: path}: ids that are resource paths (Veo's
    // operation names) may contain '/'.
    only_keys(task_id, {"from", "format"}, "create.task_id");
    c.task_id = path_at(required(task_id, "from", "create.task_id"), "from");
    if (task_id["format"]) {
      std::string format = yaml_string(task_id["format"], "format");
      if (format != "token" && format != "path") {
        throw RuleError("create.task_id.format must be 'token' or 'path'",
                        yaml_line(task_id["format"]));
      }
      c.task_id_is_path = format == "path";
    }
  } else {
    c.task_id = path_at(task_id, "task_id");
  }
  if (y["max_images"]) {
    Json v = yaml_to_json(y["max_images"]);
    if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
        v.get<int64_t>() > 16) {
      throw RuleError("max_images must be 0..16", yaml_line(y["max_images"]));
    }
    c.max_images = static_cast<uint32_t>(v.get<int64_t>());
  }
  c.fetch_image_urls = reads_image_bytes_only(c.request);
  if (const YAML::Node callback = y["callback"]) {
    if (callback["challenge"]) {
      throw RuleError(
          "'challenge' is now 'answer: {when: has(payload.NAME), body: "
          "{NAME: ${payload.NAME}}}'",
          yaml_line(callback["challenge"]));
    }
    only_keys(callback, {"into", "task_id", "answer"}, "create.callback");
    c.callback = CallbackRule{
        path_at(required(callback, "into", "create.callback"), "into"),
        path_at(required(callback, "task_id", "create.callback"), "task_id"),
        std::nullopt};
    if (const YAML::Node answer = callback["answer"]) {
      only_keys(answer, {"when", "body"}, "create.callback.answer");
      static const Roots kPayload = {"payload"};
      c.callback->answer = CallbackRule::Answer{
          expression_at(required(answer, "when", "create.callback.answer"),
                        &kPayload),
          ValueTemplate::compile(
              required(answer, "body", "create.callback.answer"), kPayload)};
    }
  }
  if (const YAML::Node refuse = y["refuse"]) {
    if (!refuse.IsSequence()) {
      throw RuleError("refuse must be a list", yaml_line(refuse));
    }
    for (const auto& item : refuse) {
      only_keys(item, {"when", "message", "param"}, "refuse[]");
      CreateCheck check;
      check.refuse_when =
          expression_at(required(item, "when", "refuse[]"), &kCreateRoots);
      check.message =
          yaml_string(required(item, "message", "refuse[]"), "message");
      if (item["param"]) check.param = yaml_string(item["param"], "param");
      c.refuse.push_back(std::move(check));
    }
  }
  Roots carry_roots = kCreateRoots;
  carry_roots.insert("body");
  if (!c.request.steps.empty()) carry_roots.insert("steps");
  c.carry = named_templates(y["carry"], carry_roots, "carry");
  return c;
}

VideoStatus parse_status(const YAML::Node& node) {
  std::string s = yaml_string(node, "status");
  if (s == "queued") return VideoStatus::queued;
  if (s == "in_progress") return VideoStatus::in_progress;
  if (s == "completed") return VideoStatus::completed;
  if (s == "failed") return VideoStatus::failed;
  throw RuleError("status must map to queued, in_progress, completed or failed",
                  yaml_line(node));
}

TimeRule parse_time(const YAML::Node& y, const char* what) {
  TimeRule t;
  if (y.IsScalar()) {
    t.from = path_at(y, what);
    return t;
  }
  only_keys(y, {"from", "unit"}, what);
  t.from = path_at(required(y, "from", what), what);
  if (y["unit"]) {
    std::string u = yaml_string(y["unit"], "unit");
    if (u == "s" || u == "seconds") {
      t.unit = TimeUnit::seconds;
    } else if (u == "ms" || u == "milliseconds") {
      t.unit = TimeUnit::milliseconds;
    } else if (u == "iso8601") {
      t.unit = TimeUnit::iso8601;
    } else {
      throw RuleError("unit must be s, ms or iso8601", yaml_line(y["unit"]));
    }
  }
  return t;
}

RetrieveRule parse_retrieve(const YAML::Node& y) {
  only_keys(y,
            {"request", "status", "progress", "estimate_seconds",
             "unknown_status_timeout", "error", "completed_at", "expires_at",
             "expires_after", "prompt", "quality", "variants", "steps"},
            "retrieve");
  RetrieveRule r;
  r.request = parse_section_request(y, kCallRoots, "retrieve");
  YAML::Node status = required(y, "status", "retrieve");
  if (status["failed_when"]) {
    throw RuleError("'failed_when: X' is now 'match: [{when: X, is: failed}]'",
                    yaml_line(status["failed_when"]));
  }
  only_keys(status, {"from", "map", "match"}, "retrieve.status");
  if (const YAML::Node match = status["match"]) {
    if (!match.IsSequence() || match.size() == 0) {
      throw RuleError("status.match must be a list of {when, is}",
                      yaml_line(match));
    }
    for (const auto& item : match) {
      only_keys(item, {"when", "is"}, "retrieve.status.match[]");
      r.status.match.push_back(StatusMatch{
          expression_at(required(item, "when", "retrieve.status.match[]"),
                        nullptr),
          parse_status(required(item, "is", "retrieve.status.match[]"))});
    }
  }
  r.status.from = path_at(required(status, "from", "retrieve.status"), "from");
  YAML::Node map = required(status, "map", "retrieve.status");
  if (!map.IsMap())
    throw RuleError("status.map must be a mapping", yaml_line(map));
  for (const auto& kv : map) {
    r.status.map[to_lower(kv.first.Scalar())] = parse_status(kv.second);
  }
  r.progress = optional_path(y, "progress");
  if (y["unknown_status_timeout"]) {
    r.unknown_status_timeout =
        positive_int(y["unknown_status_timeout"], "unknown_status_timeout");
  }
  if (y["estimate_seconds"]) {
    r.estimate_seconds =
        positive_int(y["estimate_seconds"], "estimate_seconds");
  }
  if (y["error"]) {
    only_keys(y["error"], {"message", "code"}, "retrieve.error");
    r.error_message = optional_path(y["error"], "message");
    r.error_code = optional_path(y["error"], "code");
  }
  if (y["completed_at"])
    r.completed_at = parse_time(y["completed_at"], "completed_at");
  if (y["expires_at"]) r.expires_at = parse_time(y["expires_at"], "expires_at");
  if (y["expires_after"]) {
    r.expires_after =
        positive_int(y["expires_after"], "expires_after", 400LL * 86400);
  }
  r.prompt = optional_path(y, "prompt");
  r.quality = optional_path(y, "quality");
  YAML::Node variants = required(y, "variants", "retrieve");
  if (!variants.IsMap()) {
    throw RuleError("variants must be a mapping", yaml_line(variants));
  }
  for (const auto& kv : variants) {
    std::string name = kv.first.Scalar();
    if (name != "video" && name != "thumbnail" && name != "spritesheet") {
      throw RuleError("variant must be video, thumbnail or spritesheet",
                      yaml_line(kv.first));
    }
    const YAML::Node& v = kv.second;
    if (v["lookup"] || v["inline"]) {
      const char* old = v["lookup"] ? "lookup" : "inline";
      throw RuleError(std::string("'") + old + "' is now " +
                          (v["lookup"] ? "'steps: [{request: ...}]'"
                                       : "'from: PATH|base64'"),
                      yaml_line(v[old]));
    }
    only_keys(v, {"steps", "from", "url", "content_type", "send_auth"},
              "variant");
    VariantRule vr;
    Roots step_roots = kCallRoots;
    step_roots.insert("reply");
    vr.steps = parse_steps(v["steps"], step_roots, "variant");
    if (const YAML::Node from = v["from"]) {
      JsonPath path = path_at(from, "from");
      if (const std::string* filter = path.filter()) {
        if (*filter != "base64") {
          throw RuleError(
              "a variant's 'from' takes only '|base64' (the "
              "reply holds the file itself)",
              yaml_line(from));
        }
        std::string text = path.text();
        path = JsonPath::parse(text.substr(0, text.rfind('|')));
        vr.from_is_file = true;
      }
      vr.from = std::move(path);
    }
    if (v["url"]) {
      Roots url_roots = kCallRoots;
      if (!vr.steps.empty()) url_roots.insert("steps");
      vr.url = ValueTemplate::from_string(yaml_string(v["url"], "url"),
                                          url_roots, yaml_line(v["url"]));
    }
    if (vr.from.has_value() == vr.url.has_value()) {
      throw RuleError("a variant needs exactly one of 'from' or 'url'",
                      yaml_line(v));
    }
    vr.content_type = v["content_type"]
                          ? yaml_string(v["content_type"], "content_type")
                          : std::string(name == "video"       ? "video/mp4"
                                        : name == "thumbnail" ? "image/webp"
                                                              : "image/jpeg");
    if (v["send_auth"]) vr.send_auth = v["send_auth"].as<bool>();
    r.variants[name] = std::move(vr);
  }
  if (!r.variants.count("video")) {
    throw RuleError("variants needs at least 'video'", yaml_line(variants));
  }
  return r;
}

ErrorsRule parse_errors(const YAML::Node& y) {
  only_keys(y, {"code", "message", "param", "success_when", "rules"}, "errors");
  ErrorsRule e;
  e.code = optional_path(y, "code");
  e.message = optional_path(y, "message");
  e.param = optional_path(y, "param");
  if (y["success_when"])
    e.success_when = expression_at(y["success_when"], nullptr);
  if (y["rules"]) {
    for (const auto& item : y["rules"]) {
      only_keys(item, {"when", "as", "code", "message", "status"},
                "errors.rules[]");
      ErrorRule rule;
      rule.when =
          expression_at(required(item, "when", "errors.rules[]"), nullptr);
      std::string as =
          yaml_string(required(item, "as", "errors.rules[]"), "as");
      auto cls = parse_error_class(as);
      if (!cls) {
        throw RuleError("unknown error class '" + as +
                            "' (invalid_request, content_policy, not_found, "
                            "vendor_auth, vendor_permission, vendor_quota, "
                            "rate_limited, vendor_unavailable, vendor_timeout, "
                            "vendor_error)",
                        yaml_line(item["as"]));
      }
      rule.as = *cls;
      if (item["code"]) rule.code = yaml_string(item["code"], "code");
      if (item["message"])
        rule.message = yaml_string(item["message"], "message");
      if (item["status"]) {
        Json st = yaml_to_json(item["status"]);
        if (!st.is_number_integer() || st.get<int64_t>() < 400 ||
            st.get<int64_t>() > 599) {
          throw RuleError("status must be an HTTP error status (400-599)",
                          yaml_line(item["status"]));
        }
        rule.status = static_cast<int>(st.get<int64_t>());
      }
      e.rules.push_back(std::move(rule));
    }
  }
  return e;
}

AuthRule parse_auth(const YAML::Node& y) {
  AuthRule a;
  a.line = yaml_line(y);
  if (!y.IsMap()) throw RuleError("auth must be a mapping", yaml_line(y));
  a.scheme = yaml_string(required(y, "scheme", "auth"), "scheme");
  for (const auto& kv : y) {
    std::string key = kv.first.Scalar();
    if (key == "scheme") continue;
    a.params.emplace_back(key,
                          ValueTemplate::compile(kv.second, kCredentialRoots));
  }
  return a;
}

RemixRule parse_remix(const YAML::Node& y) {
  only_keys(y, {"steps", "request", "task_id"}, "remix");
  RemixRule r;
  r.request = parse_section_request(y, kRemixRoots, "remix");
  if (y["task_id"]) r.task_id = path_at(y["task_id"], "remix.task_id");
  return r;
}

VideoLimits parse_video_limits(const YAML::Node& video,
                               const std::string& section) {
  VideoLimits limits;
  if (!video) return limits;
  const std::string name = section + ".video";
  only_keys(video, {"types", "max_bytes"}, name);
  if (video["types"]) {
    limits.types = string_list(video["types"], (name + ".types").c_str());
  }
  if (const YAML::Node max = video["max_bytes"]) {
    auto n = parse_uint(yaml_string(max, (name + ".max_bytes").c_str()));
    if (!n || *n == 0) {
      throw RuleError(name + ".max_bytes must be a positive number",
                      yaml_line(max));
    }
    limits.max_bytes = static_cast<size_t>(*n);
  }
  return limits;
}

CharacterRule parse_character(const YAML::Node& y) {
  only_keys(y, {"models", "video", "steps", "request", "id"}, "character");
  CharacterRule r;
  if (y["models"]) r.models = string_list(y["models"], "character.models");
  r.video = parse_video_limits(y["video"], "character");
  r.request = parse_section_request(y, kCharacterRoots, "character");
  r.id = path_at(required(y, "id", "character"), "character.id");
  return r;
}

// `seconds_required`: an extension's length is the vendor's to say; an
// edit lasts as long as its source unless the vendor's lengths differ.
SourceVideoRule parse_source_video(const YAML::Node& y, const char* section,
                                   bool seconds_required) {
  only_keys(y,
            {"models", "source", "kind", "seconds", "steps", "request",
             "task_id", "upload"},
            section);
  const std::string name = section;
  SourceVideoRule r;
  if (y["models"])
    r.models = string_list(y["models"], (name + ".models").c_str());
  if (const YAML::Node source = y["source"]) {
    if (!source.IsMap()) {
      throw RuleError(name + ".source must be a mapping of name: reply path",
                      yaml_line(source));
    }
    for (const auto& kv : source) {
      JsonPath path = path_at(kv.second, (name + ".source").c_str());
      if (path.filter()) {
        throw RuleError("a source reads a reply's value as it is (no filter)",
                        yaml_line(kv.second));
      }
      r.source.emplace_back(kv.first.Scalar(), std::move(path));
    }
  }
  if (y["kind"]) r.kind = yaml_string(y["kind"], (name + ".kind").c_str());
  if (seconds_required) {
    r.seconds = parse_seconds(required(y, "seconds", name));
  } else if (y["seconds"]) {
    r.seconds = parse_seconds(y["seconds"]);
  }
  r.request = parse_section_request(y, kSourceVideoRoots, name);
  MediaReads reads = media_reads(r.request);
  // Nothing else of the source: none of its other reads, nor its task id.
  bool reads_only_the_file = !request_reads(r.request, false).count("task_id");
  for (const auto& [source_name, path] : r.source) {
    if (source_name != "video") reads_only_the_file = false;
  }
  if (reads_only_the_file) {
    r.takes_url = reads.url;
    r.takes_bytes = reads.bytes;
  }
  if (y["task_id"]) {
    r.task_id = path_at(y["task_id"], (name + ".task_id").c_str());
  }
  if (const YAML::Node upload = y["upload"]) {
    const std::string at = name + ".upload";
    only_keys(upload, {"video", "steps", "request"}, at);
    SourceUploadRule u;
    u.video = parse_video_limits(upload["video"], at);
    u.request = parse_section_request(upload, kSourceUploadRoots, at);
    MediaReads reads = media_reads(u.request);
    u.takes_url = reads.url;
    u.takes_bytes = reads.bytes;
    if (!u.takes_url && !u.takes_bytes) {
      throw RuleError(at + ".request must send the video (${video|url}, "
                           "${video|base64}, ...)",
                      yaml_line(upload["request"]));
    }
    r.upload = std::move(u);
  }
  return r;
}

DeleteRule parse_delete(const YAML::Node& y) {
  only_keys(y, {"steps", "request"}, "delete");
  DeleteRule d;
  d.request = parse_section_request(y, kCallRoots, "delete");
  return d;
}

// The top-level names of the vendor's replies that the rules read: every
// path into a create, status or error reply, plus `reply_fields`.
Roots reply_roots(const VendorRules& v, const YAML::Node& declared) {
  Roots roots = {"http_status"};
  auto add = [&](const std::optional<JsonPath>& path) {
    if (path && path->root_name()) roots.insert(*path->root_name());
  };
  add(v.create.task_id);
  auto add_steps = [&](const RequestRule& request) {
    for (const auto& step : request.steps) {
      for (const auto& [name, path] : step.read) add(path);
    }
  };
  add_steps(v.create.request);
  add_steps(v.retrieve.request);
  if (v.remix) add_steps(v.remix->request);
  if (v.character) add_steps(v.character->request);
  if (v.deletion) add_steps(v.deletion->request);
  for (const auto* rule : {&v.extend, &v.edit}) {
    if (!*rule) continue;
    add_steps((*rule)->request);
    if ((*rule)->upload) add_steps((*rule)->upload->request);
  }
  if (v.remix) add(v.remix->task_id);
  if (v.character) add(v.character->id);
  for (const auto* rule : {&v.extend, &v.edit}) {
    if (!*rule) continue;
    add((*rule)->task_id);
    for (const auto& [name, path] : (*rule)->source) add(path);
  }
  const RetrieveRule& r = v.retrieve;
  add(r.status.from);
  for (const auto& p :
       {r.progress, r.error_message, r.error_code, r.prompt, r.quality}) {
    add(p);
  }
  if (r.completed_at) add(r.completed_at->from);
  if (r.expires_at) add(r.expires_at->from);
  for (const auto& [name, variant] : r.variants) {
    add(variant.from);
    for (const auto& step : variant.steps) {
      for (const auto& [n, path] : step.read) add(path);
    }
  }
  add(v.errors.code);
  add(v.errors.message);
  add(v.errors.param);
  if (declared) {
    for (const auto& name : string_list(declared, "reply_fields")) {
      roots.insert(name);
    }
  }
  return roots;
}

// Conditions on replies (success_when, status.match, errors.rules[].when)
// may name only what the replies are known to hold, so a misspelt field is
// an error at load instead of a condition that is never true.
void check_reply_expression(const YAML::Node& node, const Expression& e,
                            const Roots& roots, const char* where) {
  for (const auto& name : e.roots()) {
    if (roots.count(name)) continue;
    throw RuleError("unknown name '" + name + "' in " + where +
                        ": no rule reads it from the vendor's replies (list "
                        "it in reply_fields if the replies have it)",
                    yaml_line(node));
  }
}

void check_reply_expressions(const YAML::Node& doc, const VendorRules& v) {
  Roots roots = reply_roots(v, doc["reply_fields"]);
  if (const YAML::Node match = doc["retrieve"]["status"]["match"]) {
    for (size_t i = 0; i < match.size() && i < v.retrieve.status.match.size();
         ++i) {
      check_reply_expression(match[i]["when"], v.retrieve.status.match[i].when,
                             roots, "retrieve.status.match[].when");
    }
  }
  const YAML::Node errors = doc["errors"];
  if (!errors) return;
  if (const YAML::Node when = errors["success_when"]) {
    check_reply_expression(when, v.errors.success_when, roots,
                           "errors.success_when");
  }
  if (const YAML::Node rules = errors["rules"]) {
    for (size_t i = 0; i < rules.size() && i < v.errors.rules.size(); ++i) {
      check_reply_expression(rules[i]["when"], v.errors.rules[i].when, roots,
                             "errors.rules[].when");
    }
  }
}

VendorRules parse_document(const YAML::Node& doc, const std::string& source) {
  only_keys(doc, {"vendor",  "description",  "base_url", "credentials",
                  "params",  "auth",         "headers",  "models",
                  "seconds", "size",         "create",   "retrieve",
                  "remix",   "extend",       "edit",     "character",
                  "delete",  "result_hosts", "errors",   "reply_fields"},
            "the vendor file");
  VendorRules v;
  v.source_file = source;
  v.name = yaml_string(required(doc, "vendor", "the vendor file"), "vendor");
  for (char c : v.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
          c == '-')) {
      throw RuleError("vendor name may only use letters, digits, '_' and '-'",
                      yaml_line(doc["vendor"]));
    }
  }
  if (doc["description"])
    v.description = yaml_string(doc["description"], "description");
  v.default_base_url =
      yaml_string(required(doc, "base_url", "the vendor file"), "base_url");
  if (!parse_url(v.default_base_url)) {
    throw RuleError("base_url must be an absolute http(s) URL",
                    yaml_line(doc["base_url"]));
  }
  if (doc["credentials"])
    v.credentials = string_list(doc["credentials"], "credentials");
  for (auto& name : v.credentials) {
    if (!name.empty() && name.back() == '?') {
      name.pop_back();
      v.optional_credentials.insert(name);
    }
  }
  if (const YAML::Node params = doc["params"]) {
    if (!params.IsMap()) {
      throw RuleError("params must be a mapping of name: default",
                      yaml_line(params));
    }
    for (const auto& kv : params) {
      std::optional<std::string> fallback;
      if (!kv.second.IsNull()) fallback = yaml_string(kv.second, "params");
      v.params.emplace_back(kv.first.Scalar(), std::move(fallback));
    }
  }
  if (doc["auth"]) v.auth = parse_auth(doc["auth"]);
  v.headers = named_templates(doc["headers"], kCredentialRoots, "headers");
  v.models = parse_models(required(doc, "models", "the vendor file"));
  v.seconds = parse_seconds(required(doc, "seconds", "the vendor file"));
  v.size = parse_size_rule(required(doc, "size", "the vendor file"));
  v.create = parse_create(required(doc, "create", "the vendor file"));
  v.retrieve = parse_retrieve(required(doc, "retrieve", "the vendor file"));
  if (doc["remix"]) v.remix = parse_remix(doc["remix"]);
  if (doc["extend"])
    v.extend = parse_source_video(doc["extend"], "extend", true);
  if (doc["edit"]) v.edit = parse_source_video(doc["edit"], "edit", false);
  if (doc["character"]) v.character = parse_character(doc["character"]);
  if (doc["delete"]) v.deletion = parse_delete(doc["delete"]);
  if (doc["result_hosts"])
    v.result_hosts = string_list(doc["result_hosts"], "result_hosts");
  if (doc["errors"]) v.errors = parse_errors(doc["errors"]);
  check_reply_expressions(doc, v);
  return v;
}

}  // namespace

const char* to_string(VideoStatus s) {
  switch (s) {
    case VideoStatus::queued:
      return "queued";
    case VideoStatus::in_progress:
      return "in_progress";
    case VideoStatus::completed:
      return "completed";
    case VideoStatus::failed:
      return "failed";
  }
  return "in_progress";
}

std::optional<ErrorClass> parse_error_class(const std::string& s) {
  static const std::pair<const char*, ErrorClass> names[] = {
      {"invalid_request", ErrorClass::invalid_request},
      {"content_policy", ErrorClass::content_policy},
      {"not_found", ErrorClass::not_found},
      {"vendor_auth", ErrorClass::vendor_auth},
      {"vendor_permission", ErrorClass::vendor_permission},
      {"vendor_quota", ErrorClass::vendor_quota},
      {"rate_limited", ErrorClass::rate_limited},
      {"vendor_unavailable", ErrorClass::vendor_unavailable},
      {"vendor_timeout", ErrorClass::vendor_timeout},
      {"vendor_error", ErrorClass::vendor_error},
  };
  for (const auto& [name, cls] : names) {
    if (s == name) return cls;
  }
  return std::nullopt;
}

namespace {

// Mappings merge key by key; anything else in `over` replaces `base`.
YAML::Node merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base.IsMap() || !over.IsMap()) return YAML::Clone(over);
  YAML::Node out = YAML::Clone(base);
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    out[key] = out[key] ? merge(out[key], kv.second) : YAML::Clone(kv.second);
  }
  return out;
}

// `extends: other.yaml` (relative to this file) starts from another vendor
// file and overrides what this one says: a relay channel is a few lines on
// top of openai.yaml.
YAML::Node resolve_extends(YAML::Node doc, const std::string& source,
                           int depth) {
  if (!doc.IsMap() || !doc["extends"]) return doc;
  const YAML::Node& ext = doc["extends"];
  if (depth > 4) throw RuleError("extends nests too deeply", yaml_line(ext));
  std::string base_name = yaml_string(ext, "extends");
  std::string base_path = base_name;
  if (!starts_with(base_name, "/")) {
    auto slash = source.rfind('/');
    base_path = (slash == std::string::npos ? std::string()
                                            : source.substr(0, slash + 1)) +
                base_name;
  }
  YAML::Node base;
  try {
    base =
        resolve_extends(load_yaml(read_file(base_path)), base_path, depth + 1);
  } catch (const RuleError& e) {
    throw RuleError(
        std::string("in extended file '") + base_name + "': " + e.what(),
        yaml_line(ext));
  }
  YAML::Node own = YAML::Clone(doc);
  own.remove("extends");
  return merge(base, own);
}

}  // namespace

VendorRules parse_vendor_rules(const std::string& yaml_text,
                               const std::string& source_name) {
  try {
    return parse_document(resolve_extends(load_yaml(yaml_text), source_name, 0),
                          source_name);
  } catch (const YAML::Exception& e) {
    throw RuleError(e.msg, e.mark.line + 1);
  }
}

VendorRules load_vendor_rules(const std::string& path) {
  return parse_vendor_rules(read_file(path), path);
}

}  // namespace vgw
