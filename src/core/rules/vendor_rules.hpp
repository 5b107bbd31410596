#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rules/expression.hpp"
#include "rules/json_path.hpp"
#include "rules/value_template.hpp"

namespace vgw {

// The compiled form of one vendor YAML file. Built once at config load and
// never modified afterwards; see conf-examples/vendors/*.yaml for the
// annotated source form and README "Vendor rules" for the reference.

enum class OnUnsupported { reject, nearest };

struct SecondsRule {
  std::vector<uint32_t> supported;  // empty: any whole number of seconds
  std::optional<uint32_t> default_value;
  OnUnsupported unsupported = OnUnsupported::reject;
};

struct SizeRule {
  std::vector<std::string> supported;  // "WxH"; empty: any
  std::optional<std::string> default_value;
  OnUnsupported unsupported = OnUnsupported::reject;
};

struct ModelRule {
  std::string pattern;       // client-facing name, '*' globs allowed
  std::string vendor_model;  // empty: same as the client's name
  std::optional<SecondsRule> seconds;
  std::optional<SizeRule> size;
};

using NamedTemplates = std::vector<std::pair<std::string, ValueTemplate>>;

enum class BodyFormat { json, multipart };

struct StepRule;

struct RequestRule {
  std::string method = "GET";
  BodyFormat format = BodyFormat::json;
  ValueTemplate path;  // appended to the vendor base URL
  std::optional<ValueTemplate> body;
  NamedTemplates headers;
  // The calls made before this one, in order (its section's `steps:`):
  // each reads names from its reply that later calls see as ${steps.NAME}.
  std::vector<StepRule> steps;
};

// Every vendor call an operation makes is a step: a request, then what to
// read from its reply. An operation's own call is its last step (its
// section's `request` and reads such as `task_id`); `steps:` lists the
// ones before it (MiniMax's file lookup before a download). A step's reply
// is judged by the vendor's `errors` rules like any other; each name it
// reads must be there, or the operation ends with a 502.
struct StepRule {
  RequestRule request;
  std::vector<std::pair<std::string, JsonPath>> read;
};

struct CreateKind {
  std::string name;
  Expression when;  // empty: always
};

struct ExtrasRule {
  std::vector<std::string> allow;  // field names, "*" for any
  // Accepted but not sent: the vendor has no such parameter and clients of
  // a dialect send it anyway (a seed for Kling). Named back to the client
  // in the x-vgw-ignored-parameters response header, so never silent.
  std::vector<std::string> ignore;
  std::optional<JsonPath> into;  // where in the body; root when empty
};

// A request the vendor cannot serve, refused with a 400 before any call
// (e.g. an image URL for a vendor that only takes uploaded bytes).
struct CreateCheck {
  Expression refuse_when;
  std::string message;
  std::string param;
};

// Vendors that can call back when a task ends: where the gateway puts its
// own callback URL in the create body, and where the vendor's callback
// payload names the task.
struct CallbackRule {
  JsonPath into;
  JsonPath task_id;
  // A payload that is no task update but asks for an answer (MiniMax's URL
  // check: {"challenge": …} echoed back): `when` it matches, `body` is the
  // answer. Both see the payload as ${payload.…}.
  struct Answer {
    Expression when;
    ValueTemplate body;
  };
  std::optional<Answer> answer;
};

struct CreateRule {
  std::vector<CreateKind> kinds;
  std::optional<CallbackRule> callback;
  std::vector<CreateCheck> refuse;
  RequestRule request;
  ExtrasRule extras;
  JsonPath task_id;
  // Task ids are resource paths with '/' (format: path); otherwise a '/' in
  // one is refused, since ids go into later URLs unescaped.
  bool task_id_is_path = false;
  uint32_t max_images = 1;
  // The vendor takes image bytes only (Veo: its request reads images as
  // |base64, |data_url or |bytes and never |url): the gateway downloads
  // image URLs itself, through the call location, and sends the bytes.
  bool fetch_image_urls = false;
  NamedTemplates carry;  // values sealed into the id for later calls
};

enum class VideoStatus { queued, in_progress, completed, failed };
const char* to_string(VideoStatus s);

// A status read from a condition on the whole reply (Veo: an operation
// that is done with an error, or without samples, failed).
struct StatusMatch {
  Expression when;
  VideoStatus is = VideoStatus::failed;
};

struct StatusRule {
  JsonPath from;
  std::map<std::string, VideoStatus> map;  // keys lower-cased
  // Checked first, in order; a reply that matches one has that status even
  // when the `errors` rules call it an error (Jimeng and MiniMax report
  // content-review failures as error codes on the status query: a failed
  // video, not a failed request).
  std::vector<StatusMatch> match;
};

enum class TimeUnit { seconds, milliseconds, iso8601 };

struct TimeRule {
  JsonPath from;
  TimeUnit unit = TimeUnit::seconds;
};

// A download: a status query, then the variant's `steps` (their requests
// also see the status reply as ${reply.…}), then where the last reply
// names the file: `from` a URL in it, or the file itself in it as base64
// (`from: PATH|base64`), or a `url` built from the names.
struct VariantRule {
  std::vector<StepRule> steps;
  std::optional<JsonPath> from;      // in the last reply
  bool from_is_file = false;         // `from` holds the file, base64
  std::optional<ValueTemplate> url;  // or a URL built from the id
  std::string content_type;
  bool send_auth = false;  // the download needs the vendor's credentials
};

struct RetrieveRule {
  RequestRule request;
  StatusRule status;
  std::optional<JsonPath> progress;
  uint32_t estimate_seconds = 120;
  // A task whose status the rules do not recognise reads as in_progress,
  // but not forever: past this age it is reported failed.
  uint32_t unknown_status_timeout = 86400;
  std::optional<JsonPath> error_message;
  std::optional<JsonPath> error_code;
  std::optional<TimeRule> completed_at;
  std::optional<TimeRule> expires_at;
  std::optional<int64_t> expires_after;  // seconds after completion
  std::optional<JsonPath> prompt;
  std::optional<JsonPath> quality;
  std::map<std::string, VariantRule> variants;
};

// POST /v1/videos/{id}/remix: a new task from a finished one and a prompt.
// The request sees the create's names (the source's model, seconds, size,
// the new prompt) plus the source's `task_id` and `kind`; the new task's id
// is read where `task_id` says (the create's path when absent).
struct RemixRule {
  RequestRule request;
  std::optional<JsonPath> task_id;
};

// A new task made from one of the caller's finished videos: an extension
// (POST /v1/videos/extensions, `extend:`) continues it, an edit (POST
// /v1/videos/edits, `edit:`) remakes it by a prompt. A fresh status query
// of the source comes first; each `source` name is read from its reply and
// given to the request as ${source.NAME}, beside the create's names (the
// source's model and size, the prompt, `seconds`) and the source's
// `task_id`. An extension's `seconds` is the extension's own length and
// the new video lasts the source's plus it; an edit lasts as long as its
// source (normalised by `seconds` when given). The new task is queried as
// `kind` (the source's kind when absent), its id read where `task_id` says.
// What a vendor takes as an uploaded video, checked before any call.
struct VideoLimits {
  std::vector<std::string> types;  // sniffed MIME types; empty: any
  size_t max_bytes = 0;            // 0: no limit of its own
};

// An extension or edit of a video this vendor did not make: an uploaded
// file (a multipart `video`), or another vendor's result (the client names
// this vendor's `model` beside the video's id). Its request reads the video
// through filters as for images instead of ${source.NAME}: another vendor's
// result as ${video|url} (or its bytes, where that vendor returned them
// inline), an upload as ${video|base64}.
struct SourceUploadRule {
  VideoLimits video;  // of an uploaded file
  RequestRule request;
  // What the request can send, from the filters it reads: a URL (|url,
  // |url_or_*) and bytes (|base64, |data_url, |bytes, |url_or_*).
  bool takes_url = false;
  bool takes_bytes = false;
};

struct SourceVideoRule {
  // The vendor models whose videos it takes ('*' globs); empty: all.
  std::vector<std::string> models;
  // A `video` name is the source's file: its URL in the status reply, which
  // the request reads as a media value (${video|url}) like another
  // vendor's file; a request that reads nothing else of its source (no
  // other ${source.NAME}) takes other vendors' videos as it is.
  std::vector<std::pair<std::string, JsonPath>> source;
  std::optional<std::string> kind;
  std::optional<SecondsRule> seconds;
  RequestRule request;
  std::optional<JsonPath> task_id;
  std::optional<SourceUploadRule> upload;
  // The request takes another vendor's file this way (from its filters;
  // false where it reads other names of its source).
  bool takes_url = false;
  bool takes_bytes = false;
};

// POST /v1/videos/characters: a reusable subject the vendor keeps, made
// from an uploaded video. The request sees `name`, `video` (an upload,
// read through filters: ${video|data_url}), `model`, `vendor_model` and
// `param`; `id` is where the reply names the vendor's subject, sealed into
// the character id (GET /v1/videos/characters/{id} answers from it).
struct CharacterRule {
  // The vendor models a character is made for ('*' globs); empty: all.
  std::vector<std::string> models;
  VideoLimits video;
  RequestRule request;
  JsonPath id;
};

// DELETE /v1/videos/{id}: the vendor call that deletes a finished task
// (its names are a status query's). A 2xx reply, or a 404 (already gone),
// is a deletion.
struct DeleteRule {
  RequestRule request;
};

// Generic outcome classes; their HTTP status and OpenAI type/code live in
// translate/error_mapping.cpp so vendor files only say what an error means.
enum class ErrorClass {
  invalid_request,
  content_policy,
  not_found,
  vendor_auth,
  vendor_permission,
  vendor_quota,
  rate_limited,
  vendor_unavailable,
  vendor_timeout,
  vendor_error,
};
std::optional<ErrorClass> parse_error_class(const std::string& s);

struct ErrorRule {
  Expression when;
  ErrorClass as = ErrorClass::vendor_error;
  std::optional<std::string> code;
  std::optional<std::string> message;
  std::optional<int> status;  // overrides the class's HTTP status
};

struct ErrorsRule {
  std::optional<JsonPath> code;
  std::optional<JsonPath> message;
  std::optional<JsonPath> param;
  Expression success_when;  // checked on 2xx replies; empty: always success
  std::vector<ErrorRule> rules;
};

struct AuthRule {
  std::string scheme = "none";
  NamedTemplates params;
  int line = 0;
};

struct VendorRules {
  std::string name;
  std::string source_file;
  std::string description;
  std::string default_base_url;
  std::vector<std::string> credentials;
  std::set<std::string> optional_credentials;  // declared as `name?`
  // Non-secret deployment settings (a cloud project, a region) that rules
  // read as ${param.NAME}; set in nginx.conf like credentials. A default
  // of nullopt makes the parameter required.
  std::vector<std::pair<std::string, std::optional<std::string>>> params;
  AuthRule auth;
  NamedTemplates headers;
  std::vector<ModelRule> models;
  SecondsRule seconds;
  SizeRule size;
  CreateRule create;
  RetrieveRule retrieve;
  std::optional<RemixRule> remix;
  std::optional<SourceVideoRule> extend;
  std::optional<SourceVideoRule> edit;
  std::optional<CharacterRule> character;
  std::optional<DeleteRule> deletion;  // `delete:` in the file
  std::vector<std::string> result_hosts;
  ErrorsRule errors;
};

// Parses and validates a vendor file. Throws RuleError with the line.
VendorRules load_vendor_rules(const std::string& path);
VendorRules parse_vendor_rules(const std::string& yaml_text,
                               const std::string& source_name);

}  // namespace vgw
