#include "api/client_request.hpp"

#include <algorithm>
#include <cmath>

#include "api/multipart.hpp"
#include "api/video_upload.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"
#include "util/json_document.hpp"
#include "util/json_reader.hpp"

namespace vgw {
namespace {

constexpr size_t kMaxPromptChars = 32000;
constexpr int kMaxJsonDepth = 32;

// String values this long stay in the body instead of the parsed document:
// above any prompt (32000 characters, even written as \u escapes), below
// any image worth avoiding a copy of.
constexpr size_t kLargeString = 512 * 1024;

// Values echoed in error messages are cut short.
std::string echo(std::string_view value) {
  return value.size() > 100 ? std::string(value.substr(0, 100)) + "..."
                            : std::string(value);
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<ApiError> set_prompt(ClientVideoRequest& out,
                                   std::string prompt) {
  if (trim(prompt).empty()) {
    return invalid_request("Missing required parameter: 'prompt'.", "prompt",
                           "missing_required_parameter");
  }
  if (utf8_length(prompt) > kMaxPromptChars) {
    return invalid_request("'prompt' is too long: at most 32000 characters.",
                           "prompt", "string_above_max_length");
  }
  out.prompt = std::move(prompt);
  return std::nullopt;
}

std::optional<ApiError> set_seconds(ClientVideoRequest& out,
                                    const std::string& value) {
  auto n = parse_uint(trim(value));
  if (!n || *n == 0 || *n > 3600) {
    return invalid_request("Invalid value for 'seconds': '" + echo(value) +
                               "'. Expected a whole number of seconds as a "
                               "string, e.g. '8'.",
                           "seconds", "invalid_value");
  }
  out.seconds = std::to_string(*n);
  return std::nullopt;
}

std::optional<ApiError> set_size(ClientVideoRequest& out,
                                 const std::string& value) {
  auto d = parse_size(trim(value));
  if (!d) {
    return invalid_request("Invalid value for 'size': '" + echo(value) +
                               "'. Expected WIDTHxHEIGHT, e.g. '1280x720'.",
                           "size", "invalid_value");
  }
  out.size = std::to_string(d->width) + "x" + std::to_string(d->height);
  return std::nullopt;
}

ApiError bad_image(const std::string& param, const std::string& why) {
  return invalid_request("Invalid '" + param + "': " + why, param,
                         "invalid_image");
}

// An image given as text: an http(s) URL or a base64 data URL.
std::optional<ApiError> add_image_reference(ClientVideoRequest& out,
                                            std::string_view text,
                                            const std::string& param,
                                            bool allow_raw_base64 = false) {
  text = trim(out.large.resolve(text));
  ImageInput img;
  img.param = param;
  if (starts_with(text, "data:")) {
    auto comma = text.find(',');
    auto meta = text.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    if (comma == std::string_view::npos || !ends_with(meta, ";base64") ||
        !starts_with(to_lower(meta), "image/")) {
      return bad_image(param,
                       "a data URL must look like data:image/png;base64,...");
    }
    img.kind = ImageInput::Kind::base64;
    img.data = text.substr(comma + 1);
    // Sniff the real type from the first decoded bytes rather than trusting
    // the declared one; the payload itself stays base64 and is passed on.
    auto head = base64_decode(
        img.data.substr(0, std::min<size_t>(img.data.size(), 64) / 4 * 4));
    img.mime = head ? sniff_image_type(*head) : "";
    if (img.mime.empty()) {
      return bad_image(param,
                       "the data URL is not a PNG, JPEG, WebP or GIF image");
    }
  } else if (starts_with(to_lower(text.substr(0, 8)), "https://") ||
             starts_with(to_lower(text.substr(0, 7)), "http://")) {
    if (has_control_chars(text) || text.size() > 8192) {
      return bad_image(param, "the URL is malformed");
    }
    img.kind = ImageInput::Kind::url;
    img.data = text;
  } else if (allow_raw_base64 && !text.empty()) {
    // Relay clients send bare base64 (no data: prefix) in `image`.
    auto head = base64_decode(
        text.substr(0, std::min<size_t>(text.size(), 64) / 4 * 4));
    img.mime = head ? sniff_image_type(*head) : "";
    if (img.mime.empty()) {
      return bad_image(param,
                       "expected an http(s) URL, a data URL or base64 image "
                       "data (PNG, JPEG, WebP or GIF)");
    }
    img.kind = ImageInput::Kind::base64;
    img.data = text;
  } else {
    return bad_image(param, "expected an http(s) URL or a base64 data URL");
  }
  out.images.push_back(std::move(img));
  return std::nullopt;
}

ApiError file_id_unsupported(const std::string& param) {
  return invalid_request(
      "'" + param +
          "' is not supported: this gateway has no Files API. Send the image "
          "itself (a file part or a data URL) or an image_url.",
      param, "unsupported_parameter");
}

// The top-level members of a JSON body as a Json object would hold them:
// by key in byte order, the last of duplicate keys winning. The order
// decides which of several bad fields an error names.
std::vector<std::pair<std::string, JsonDocument::Node>> members_by_key(
    const JsonDocument& doc) {
  std::vector<std::pair<std::string, JsonDocument::Node>> members;
  members.reserve(8);
  doc.for_each_member(doc.root(),
                      [&](std::string_view key, JsonDocument::Node value) {
                        members.emplace_back(key, value);
                      });
  auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (members.size() > 16) {
    std::stable_sort(members.begin(), members.end(), by_key);
  } else {
    // Stable too, and a handful of members need no buffer.
    for (size_t i = 1; i < members.size(); ++i) {
      for (size_t j = i; j > 0 && by_key(members[j], members[j - 1]); --j) {
        std::swap(members[j], members[j - 1]);
      }
    }
  }
  auto last_of_each = std::unique(
      members.rbegin(), members.rend(),
      [](const auto& a, const auto& b) { return a.first == b.first; });
  members.erase(members.begin(), last_of_each.base());
  return members;
}

// Field values are read from the document's index, not a tree of Json
// values built and torn down on every create; strings the request keeps
// views of (image URLs) are views of the body, or kept in `owned_text`.
std::optional<ApiError> parse_json(std::string_view body,
                                   ClientVideoRequest& out) {
  auto too_deep = [] {
    return invalid_request("The request body nests JSON too deeply.",
                           std::nullopt, "invalid_json");
  };
  std::string_view text = body;
  // No string of a smaller body can be large.
  if (body.size() >= kLargeString) {
    JsonSkeleton skeleton =
        json_skeleton(body, kLargeString, kMaxJsonDepth, out.large);
    if (skeleton.too_deep) return too_deep();
    if (skeleton.changed) {
      text = out.owned_text.emplace_back(std::move(skeleton.text));
    }
  }
  JsonDocument doc(text, kMaxJsonDepth);
  if (doc.too_deep()) return too_deep();
  if (!doc.is_object()) {
    return invalid_request(
        "We could not parse the JSON body of your request. The body must be a "
        "JSON object.",
        std::nullopt, "invalid_json");
  }
  std::string scratch;
  auto kept = [&](std::string_view value) -> std::string_view {
    if (value.data() != scratch.data()) return value;
    return out.owned_text.emplace_back(scratch);
  };
  for (const auto& [key, value] : members_by_key(doc)) {
    std::string_view name = key;
    std::string_view string = doc.string(value, scratch);
    // Only images and vendor extras may be large; a placeholder anywhere
    // else is a value far over its limit.
    if (doc.is_string(value) && out.large.find(string) &&
        (name == "prompt" || name == "model" || name == "seconds" ||
         name == "size" || name == "user" || name == "callback_url" ||
         name == "response_format")) {
      return invalid_request("'" + key + "' is too long.", key,
                             "string_above_max_length");
    }
    if (name == "prompt") {
      if (!doc.is_string(value)) {
        return invalid_request("Invalid type for 'prompt': expected a string.",
                               "prompt", "invalid_type");
      }
      if (auto e = set_prompt(out, std::string(string))) return e;
    } else if (name == "model") {
      if (!doc.is_string(value)) {
        return invalid_request("Invalid type for 'model': expected a string.",
                               "model", "invalid_type");
      }
      out.model = string;
    } else if (name == "seconds") {
      // A JSON number is accepted as a courtesy; OpenAI itself wants "8".
      if (auto integer = doc.integer_text(value)) {
        if (auto e = set_seconds(out, *integer)) return e;
      } else if (doc.is_string(value)) {
        if (auto e = set_seconds(out, std::string(string))) return e;
      } else if (!doc.is_null(value)) {
        return invalid_request("Invalid type for 'seconds': expected a string.",
                               "seconds", "invalid_type");
      }
    } else if (name == "size") {
      if (doc.is_string(value)) {
        if (auto e = set_size(out, std::string(string))) return e;
      } else if (!doc.is_null(value)) {
        return invalid_request("Invalid type for 'size': expected a string.",
                               "size", "invalid_type");
      }
    } else if (name == "input_reference") {
      if (doc.is_string(value)) {
        if (auto e =
                add_image_reference(out, kept(string), "input_reference")) {
          return e;
        }
      } else if (doc.is_object(value)) {
        auto url = doc.member(value, "image_url");
        bool has_url = url != JsonDocument::kNoNode;
        bool has_file = doc.member(value, "file_id") != JsonDocument::kNoNode;
        if (has_url == has_file) {
          return invalid_request(
              "'input_reference' needs exactly one of 'image_url' or "
              "'file_id'.",
              "input_reference", "invalid_value");
        }
        if (has_file) return file_id_unsupported("input_reference.file_id");
        if (!doc.is_string(url)) {
          return invalid_request(
              "Invalid type for 'input_reference.image_url': expected a "
              "string.",
              "input_reference.image_url", "invalid_type");
        }
        if (auto e = add_image_reference(out, kept(doc.string(url, scratch)),
                                         "input_reference.image_url")) {
          return e;
        }
      } else if (!doc.is_null(value)) {
        return invalid_request(
            "Invalid type for 'input_reference': expected an object with "
            "'image_url'.",
            "input_reference", "invalid_type");
      }
    } else if (name == "metadata") {
      if (doc.is_object(value)) {
        out.metadata = doc.copy(value);
      } else if (!doc.is_null(value)) {
        return invalid_request(
            "Invalid type for 'metadata': expected an object.", "metadata",
            "invalid_type");
      }
    } else {
      out.extra[key] = doc.copy(value);
    }
  }
  if (out.prompt.empty()) {
    return invalid_request("Missing required parameter: 'prompt'.", "prompt",
                           "missing_required_parameter");
  }
  return std::nullopt;
}

// Bracketed multipart names (`metadata[seed]`, `a[b][c]`) are how the SDKs
// flatten objects; rebuild the nesting.
bool set_bracketed(Json& root, std::string_view name, std::string value) {
  auto open = name.find('[');
  std::string head(name.substr(0, open));
  Json* cur = &root[head];
  std::string_view rest = name.substr(open);
  while (!rest.empty()) {
    if (rest.front() != '[') return false;
    auto close = rest.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    std::string key(rest.substr(1, close - 1));
    if (!cur->is_null() && !cur->is_object()) return false;
    cur = &(*cur)[key];
    rest = rest.substr(close + 1);
  }
  *cur = std::move(value);
  return true;
}

std::optional<ApiError> parse_multipart_body(std::string_view content_type,
                                             std::string_view body,
                                             ClientVideoRequest& out) {
  auto boundary = multipart_boundary(content_type);
  if (!boundary) {
    return invalid_request(
        "multipart/form-data request without a valid boundary parameter.",
        std::nullopt, "invalid_multipart");
  }
  auto parsed = parse_multipart(body, *boundary);
  if (!parsed.ok()) {
    return invalid_request(
        "Malformed multipart/form-data body: " + parsed.error + ".",
        std::nullopt, "invalid_multipart");
  }
  Json nested = Json::object();
  std::vector<std::string> seen;
  bool has_prompt = false;
  for (auto& part : parsed.parts) {
    const std::string& name = part.name;
    bool is_file_part = part.filename.has_value() ||
                        !sniff_image_type(part.data.substr(0, 16)).empty();
    if (name != "metadata" && name.find('[') == std::string::npos) {
      for (const auto& s : seen) {
        if (s == name) {
          return invalid_request("Duplicate parameter '" + name + "'.", name,
                                 "duplicate_parameter");
        }
      }
      seen.push_back(name);
    }
    // Text fields are copied; file parts (megabytes) stay views of the body.
    auto text = [&part]() { return std::string(part.data); };
    if (name == "prompt") {
      has_prompt = true;
      if (auto e = set_prompt(out, text())) return e;
    } else if (name == "model") {
      out.model = std::string(trim(part.data));
    } else if (name == "seconds") {
      if (auto e = set_seconds(out, text())) return e;
    } else if (name == "size") {
      if (auto e = set_size(out, text())) return e;
    } else if (name == "input_reference" && is_file_part) {
      ImageInput img;
      img.kind = ImageInput::Kind::bytes;
      img.data = part.data;
      img.mime = sniff_image_type(part.data);
      img.filename = part.filename.value_or("input_reference");
      img.param = "input_reference";
      if (img.mime.empty()) {
        return bad_image("input_reference",
                         "the uploaded file is not a PNG, JPEG, WebP or GIF "
                         "image");
      }
      out.images.push_back(std::move(img));
    } else if (name == "input_reference" ||
               name == "input_reference[image_url]") {
      if (auto e = add_image_reference(out, part.data, name)) return e;
    } else if (name == "video" && part.filename) {
      out.video.emplace();
      if (auto e = take_uploaded_video(part.data, *part.filename, *out.video)) {
        return e;
      }
    } else if (name == "input_reference[file_id]") {
      return file_id_unsupported(name);
    } else if (name == "metadata") {
      Json meta = read_json(part.data);
      if (meta.is_discarded() || !meta.is_object()) {
        return invalid_request("'metadata' must be a JSON object.", "metadata",
                               "invalid_type");
      }
      out.metadata.update(meta);
    } else if (name.find('[') != std::string::npos) {
      if (!set_bracketed(nested, name, text())) {
        return invalid_request("Malformed parameter name '" + name + "'.", name,
                               "invalid_parameter");
      }
    } else if (is_file_part) {
      return invalid_request("Unexpected file parameter '" + name + "'.", name,
                             "unsupported_parameter");
    } else {
      out.extra[name] = text();
    }
  }
  for (auto& [key, value] : nested.items()) {
    if (key == "metadata" && value.is_object()) {
      out.metadata.update(value);
    } else {
      out.extra[key] = value;
    }
  }
  if (!has_prompt) {
    return invalid_request("Missing required parameter: 'prompt'.", "prompt",
                           "missing_required_parameter");
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> take_uploaded_video(std::string_view data,
                                            const std::string& filename,
                                            ImageInput& out) {
  out.kind = ImageInput::Kind::bytes;
  out.data = data;
  out.mime = sniff_video_type(data.substr(0, 16));
  out.filename = filename;
  out.param = "video";
  if (!out.mime.empty()) return std::nullopt;
  return invalid_request(
      "Invalid 'video': the uploaded file is not an MP4, MOV, WebM or AVI "
      "video.",
      std::string("video"), "invalid_video");
}

std::string sniff_image_type(std::string_view b) {
  auto at = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() >= 8 &&
      b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) {
    return "image/png";
  }
  if (b.size() >= 3 && at(0) == 0xFF && at(1) == 0xD8 && at(2) == 0xFF) {
    return "image/jpeg";
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  if (b.size() >= 6 &&
      (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) {
    return "image/gif";
  }
  return "";
}

namespace {

// A whole number from a JSON number or numeric string (multipart sends text).
std::optional<int64_t> whole_number(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e12) return int64_t(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    Json parsed = read_json(v.get<std::string>());
    if (parsed.is_number()) return whole_number(parsed);
  }
  return std::nullopt;
}

ApiError bad_value(const std::string& param, const std::string& expected) {
  return invalid_request(
      "Invalid value for '" + param + "': expected " + expected + ".", param,
      "invalid_value");
}

}  // namespace

std::optional<ApiError> fold_relay_fields(ClientVideoRequest& out) {
  Json& extra = out.extra;
  auto take = [&](const char* name) -> std::optional<Json> {
    if (!extra.contains(name)) return std::nullopt;
    Json v = std::move(extra[name]);
    extra.erase(name);
    if (v.is_null()) return std::nullopt;
    return v;
  };
  if (auto duration = take("duration")) {
    auto n = whole_number(*duration);
    if (!n || *n <= 0 || *n > 600) {
      return bad_value("duration", "a whole number of seconds");
    }
    if (out.seconds && *out.seconds != std::to_string(*n)) {
      return invalid_request("'duration' and 'seconds' disagree; send one.",
                             "duration", "conflicting_parameters");
    }
    out.seconds = std::to_string(*n);
  }
  auto width = take("width");
  auto height = take("height");
  if (width || height) {
    int64_t w = width ? whole_number(*width).value_or(0) : 0;
    int64_t h = height ? whole_number(*height).value_or(0) : 0;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
      return bad_value(w <= 0 || w > 16384 ? "width" : "height",
                       "positive whole numbers for both width and height");
    }
    std::string size = std::to_string(w) + "x" + std::to_string(h);
    if (out.size && *out.size != size) {
      return invalid_request("'width'/'height' and 'size' disagree; send one.",
                             "size", "conflicting_parameters");
    }
    out.size = size;
  }
  if (auto image = take("image")) {
    if (!image->is_string())
      return bad_value("image", "a URL or base64 string");
    out.images.clear();
    // ImageInput points at its text: keep it alive with the request.
    out.owned_text.push_back(std::move(image->get_ref<std::string&>()));
    if (auto e =
            add_image_reference(out, out.owned_text.back(), "image", true)) {
      return e;
    }
  }
  if (auto images = take("images")) {
    if (!images->is_array()) return bad_value("images", "a list of images");
    for (const auto& item : *images) {
      if (!item.is_string()) return bad_value("images", "a list of strings");
      if (auto e = add_image_reference(out, item.get_ref<const std::string&>(),
                                       "images", true)) {
        return e;
      }
    }
  }
  if (auto n = take("n")) {
    auto count = whole_number(*n);
    if (!count || *count != 1) {
      return invalid_request(
          "'n' must be 1: every video is its own vendor task. Send one "
          "request per video.",
          "n", "unsupported_value");
    }
  }
  if (auto format = take("response_format")) {
    if (!format->is_string() || format->get<std::string>() != "url") {
      return invalid_request(
          "'response_format' must be 'url': videos are downloaded from "
          "/v1/videos/{id}/content.",
          "response_format", "unsupported_value");
    }
  }
  std::optional<Json> callback = take("callback_url");
  if (!callback && out.metadata.contains("callback_url")) {
    callback = std::move(out.metadata["callback_url"]);
    out.metadata.erase("callback_url");
  }
  if (callback && !callback->is_null()) {
    if (!callback->is_string()) return bad_value("callback_url", "a URL");
    out.callback_url = callback->get<std::string>();
  }
  if (auto user = take("user")) {
    if (!user->is_string()) return bad_value("user", "a string");
    out.user = user->get<std::string>().substr(0, 256);
  }
  return std::nullopt;
}

std::optional<ApiError> take_echoed(ClientVideoRequest& out,
                                    const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const Json* v = out.extra.contains(name)      ? &out.extra[name]
                    : out.metadata.contains(name) ? &out.metadata[name]
                                                  : nullptr;
    if (v == nullptr) continue;
    auto n = whole_number(*v);
    if (!n) return bad_value(name, "a whole number");
    out.echo[name] = *n;
  }
  return std::nullopt;
}

std::optional<ApiError> parse_create_request(std::string_view content_type,
                                             std::string_view body,
                                             ClientVideoRequest& out) {
  std::string media =
      to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (media == "application/json" || ends_with(media, "+json")) {
    if (auto e = parse_json(body, out)) return e;
    return fold_relay_fields(out);
  }
  if (media == "multipart/form-data") {
    if (auto e = parse_multipart_body(content_type, body, out)) return e;
    return fold_relay_fields(out);
  }
  ApiError e =
      invalid_request("Unsupported Content-Type '" + std::string(content_type) +
                          "': send application/json or multipart/form-data.",
                      std::nullopt, "unsupported_content_type");
  e.status = 415;
  return e;
}

}  // namespace vgw
