#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "rules/expression.hpp"
#include "rules/rule_error.hpp"
#include "rules/scope.hpp"
#include "rules/value_template.hpp"
#include "util/json_writer.hpp"
#include "rules/vendor_rules.hpp"

namespace vgw {
namespace {

Json eval(const std::string& text, const Json& data) {
  JsonScope scope(data);
  return Expression::compile(text).evaluate(scope);
}

TEST(Expression, EvaluatesTheConditionLanguage) {
  Json d = {{"code", 1002},
            {"status", "FAILED"},
            {"image", {{"|url", "https://x"}}},
            {"list", {1, 2, 3}}};
  EXPECT_EQ(eval("code >= 1000 && code <= 1004", d), true);
  EXPECT_EQ(eval("code == 1 || !has(image)", d), false);
  EXPECT_EQ(eval("lower(status) in ['failed', 'cancelled']", d), true);
  EXPECT_EQ(eval("count(list)", d), 3);
  EXPECT_EQ(eval("has(missing.deep)", d), false);
  EXPECT_EQ(eval("starts_with(image|url, 'https:')", d), true);
  EXPECT_EQ(eval("number('12') > 11.5", d), true);
  EXPECT_EQ(eval("string(code) == \"1002\"", d), true);
  EXPECT_EQ(eval("(code == 1002) && (status != 'x')", d), true);
  EXPECT_EQ(eval("missing == null", d), true);
  // Integers an int64 cannot hold stay numbers (found by the rules fuzzer).
  EXPECT_EQ(eval("code < 130222000000000000000000000000000000000000", d), true);
  EXPECT_EQ(eval("code > -99999999999999999999999", d), true);
  // Every operator and function, compiled to its code once.
  EXPECT_EQ(eval("'apple' < 'banana' && 'b' <= 'b' && 'c' > 'b'", d), true);
  EXPECT_EQ(eval("status >= 'G'", d), false);
  EXPECT_EQ(eval("ends_with(image|url, '//x') && contains(status, 'AIL')", d),
            true);
  EXPECT_EQ(eval("contains(status, 'zzz') || ends_with(code, '2')", d), false);
  EXPECT_EQ(eval("lower(code) == 1002", d), true);
  EXPECT_EQ(eval("number(status)", d), nullptr);
  EXPECT_EQ(eval("code in [1, '1002']", d), true);
  EXPECT_EQ(eval("code in 1002", d), false);
  EXPECT_EQ(eval("count(image) == 1 && count(code) == 0", d), true);
  EXPECT_EQ(eval("!code", d), false);
  EXPECT_EQ(eval("has(list[2]) && !has(list[3])", d), true);
  JsonScope scope(d);
  for (const char* text : {"code", "list", "missing", "status == 'x'",
                           "lower(status)", "[]", "0", "''"}) {
    auto e = Expression::compile(text);
    EXPECT_EQ(e.test(scope), json_truthy(e.evaluate(scope))) << text;
  }
}

TEST(Expression, ReportsCompileErrors) {
  for (const char* bad : {"code ==", "has(", "a && && b", "'unterminated",
                          "nosuch(x)", "a = b", "[1, 2"}) {
    EXPECT_THROW(Expression::compile(bad), RuleError) << bad;
  }
  auto e = Expression::compile("has(image) && metadata.x == 1");
  EXPECT_EQ(e.roots(), (std::vector<std::string>{"image", "metadata"}));
}

ValueTemplate tmpl(const std::string& yaml) {
  return ValueTemplate::compile(YAML::Load(yaml),
                                {"prompt", "seconds", "size", "kind", "image"});
}

TEST(ValueTemplate, RendersTypesConditionsMapsAndOmissions) {
  auto t = tmpl(R"Y(
prompt: ${prompt}
duration: {$value: "${seconds}", $as: number}
label: "clip-${kind}-${seconds}s"
ratio: {$value: "${size}", $map: {1280x720: "16:9", 720x1280: "9:16"}, $else: "1:1"}
image: {$when: "has(image)", $value: "${image|url}"}
fallback: {$value: "${image|url}", $default: 7}
)Y");
  Json in = {{"prompt", "cat"},
             {"seconds", "8"},
             {"size", "720x1280"},
             {"kind", "t2v"}};
  JsonScope scope(in);
  auto out = t.render(scope);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["prompt"], "cat");
  EXPECT_EQ((*out)["duration"], 8);
  EXPECT_EQ((*out)["label"], "clip-t2v-8s");
  EXPECT_EQ((*out)["ratio"], "9:16");
  EXPECT_FALSE(out->contains("image")) << "false $when omits the key";
  EXPECT_EQ((*out)["fallback"], 7);
  in["size"] = "1000x1000";
  in["image"] = {{"|url", "https://i"}};
  out = t.render(scope);
  EXPECT_EQ((*out)["ratio"], "1:1");
  EXPECT_EQ((*out)["image"], "https://i");
  EXPECT_EQ((*out)["fallback"], "https://i");
}

// An image's encodings are filters; the object spelling, a filter on a
// value that is not an image and an unknown filter are load errors.
TEST(ValueTemplate, ImageEncodingsAreFiltersCheckedAtLoad) {
  auto refused = [](const std::string& yaml, const std::string& why) {
    try {
      ValueTemplate::compile(YAML::Load(yaml),
                             {"prompt", "image", "images", "source"});
      ADD_FAILURE() << yaml << " compiled";
    } catch (const RuleError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos)
          << yaml << ": " << e.what();
      EXPECT_GT(e.line(), 0) << yaml;
    }
  };
  refused("a: ${image.base64}", "write ${image|base64}");
  refused("a: ${images[1].mime}", "write ${images[1]|base64}");
  refused("a: {$each: '${images}', $value: '${item.url}'}", "filters");
  refused("a: ${prompt|base64}", "applies to an upload");
  refused("a: ${image|base65}", "unknown filter '|base65'");
  refused("a: ${images|url}", "a filter follows the image itself");
  refused("a: {$when: 'has(image.url)', $value: 1}", "filters");
  // `item` of another list is whatever that list holds.
  auto t = ValueTemplate::compile(
      YAML::Load("{a: {$each: '${source.list}', $value: '${item.url}'}, "
                 "b: {$when: 'has(image|url)', $value: '${images[0]|mime}'}}"),
      {"prompt", "image", "images", "source"});
  Json in = {{"source", {{"list", Json::array({{{"url", "u"}}})}}},
             {"image", {{"|url", "https://i"}}},
             {"images", Json::array({{{"|mime", "image/png"}}})}};
  JsonScope scope(in);
  auto out = t.render(scope);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)["a"], Json::array({"u"}));
  EXPECT_EQ((*out)["b"], "image/png");
}

TEST(ValueTemplate, EachMapsListsAndSplicesIntoArrays) {
  auto t = ValueTemplate::compile(YAML::Load(R"Y(
urls: {$each: "${images}", $value: "${item|url}"}
content:
  - {type: text, text: "${prompt}"}
  - $each: "${images}"
    $value:
      type: image_url
      image_url: {url: "${item|url}"}
      role: {$value: "${index}", $map: {0: first_frame, 1: last_frame}}
)Y"),
                                  {"prompt", "images"});
  Json in = {{"prompt", "p"},
             {"images", Json::array({{{"|url", "a"}}, {{"|url", "b"}}})}};
  JsonScope scope(in);
  auto out = *t.render(scope);
  EXPECT_EQ(out["urls"], Json::array({"a", "b"}));
  ASSERT_EQ(out["content"].size(), 3u) << out.dump();
  EXPECT_EQ(out["content"][0]["type"], "text");
  EXPECT_EQ(out["content"][1]["image_url"]["url"], "a");
  EXPECT_EQ(out["content"][1]["role"], "first_frame");
  EXPECT_EQ(out["content"][2]["role"], "last_frame");
  in["images"] = Json::array();
  out = *t.render(scope);
  EXPECT_FALSE(out.contains("urls")) << "no images: the key is not sent";
  EXPECT_EQ(out["content"].size(), 1u);
  EXPECT_THROW(
      ValueTemplate::compile(YAML::Load("{$each: '${images}', $value: x, $as: "
                                        "string}"),
                             {"images"}),
      RuleError);
  EXPECT_THROW(
      ValueTemplate::compile(YAML::Load("{$value: '${item}'}"), {"images"}),
      RuleError)
      << "item only exists inside $each";
}

// A scope that also hands out its top-level strings as text, as a
// create's scope does for the prompt, model, seconds and size.
class TextScope : public JsonScope {
 public:
  explicit TextScope(const Json& root) : JsonScope(root), root_(root) {}
  std::optional<std::string_view> text(const JsonPath& path) const override {
    if (path.size() != 1 || !root_.contains(path.root()) ||
        !root_[path.root()].is_string()) {
      return std::nullopt;
    }
    return root_[path.root()].get_ref<const std::string&>();
  }

 private:
  const Json& root_;
};

// render_json() writes what serialising render()'s document writes: for
// the templates above and every shipped vendor's create body, with and
// without images, metadata and optional values, whether names are looked
// up as Json or read as text.
TEST(ValueTemplate, WritesBodiesAsTheirDocumentsSerialise) {
  auto same = [](const ValueTemplate& t, const Json& in) {
    JsonScope scope(in);
    TextScope text_scope(in);
    auto rendered = t.render(scope);
    std::string expected;
    if (rendered) append_json(expected, *rendered);
    for (const Scope* s : {static_cast<const Scope*>(&scope),
                           static_cast<const Scope*>(&text_scope)}) {
      std::string written;
      bool any = t.render_json(*s, written);
      EXPECT_EQ(any, rendered.has_value()) << in.dump();
      EXPECT_EQ(written, expected) << in.dump();
    }
    EXPECT_EQ(t.render_text(text_scope), t.render_text(scope)) << in.dump();
  };
  Json image = {{"|url", "https://i/x.png"},
                {"|url_or_base64", "https://i/x.png"},
                {"|url_or_data_url", "https://i/x.png"},
                {"|base64", "QUJD"},
                {"|data_url", "data:image/png;base64,QUJD"},
                {"|bytes", "QUJD"},
                {"|mime", "image/png"}};
  std::vector<Json> inputs = {
      {{"prompt", "a \"quoted\" cat\n"},
       {"seconds", "8"},
       {"size", "720x1280"},
       {"width", 720},
       {"height", 1280},
       {"kind", "text2video"},
       {"model", "m"},
       {"vendor_model", "vm"},
       {"image_count", 0},
       {"images", Json::array()},
       {"metadata", Json::object()}},
      {{"prompt", "p"},
       {"seconds", "5"},
       {"size", "1280x720"},
       {"kind", "image2video"},
       {"vendor_model", "vm"},
       {"image", image},
       {"image_count", 2},
       {"images", Json::array({image, image})},
       {"metadata", {{"image_tail", "https://t"}, {"seed", 7}}}},
      Json::object(),
  };
  for (const char* yaml : {
           "{b: '${prompt}', a: '${seconds}', c: {$when: 'false', $value: 1}}",
           "{z: {$when: 'false', $value: 1}, y: {x: '${image|mime}'}, w: "
           "[1, "
           "'${image|mime}', '${prompt}']}",
           "[{k: v}, '${prompt}', {$value: '${seconds}', $as: number}]",
           "'${prompt}'",
           "{one: null, two: true, three: 1.5, four: [], five: {}}",
           "{r: {$value: '${size}', $map: {720x1280: tall}, $else: wide}, "
           "s: {$value: '${seconds}', $map: {'5': 5}}, t: {$value: "
           "'${image|mime}', $default: d, $as: string}, u: "
           "'${kind}/${size}'}",
           "'v1/${kind}/${prompt}'",
       }) {
    auto t = tmpl(yaml);
    for (const auto& in : inputs) same(t, in);
  }
  auto each = ValueTemplate::compile(
      YAML::Load("{urls: {$each: '${images}', $value: '${item|url}'}, "
                 "content: [{t: '${prompt}'}, {$each: '${images}', $value: "
                 "{u: '${item|url}', i: '${index}'}}]}"),
      {"prompt", "images"});
  for (const auto& in : inputs) same(each, in);
  for (const char* vendor :
       {"openai", "kling", "vidu", "jimeng", "hailuo", "seedance", "wan",
        "veo-gemini", "veo-vertex", "sora-relay"}) {
    VendorRules rules =
        load_vendor_rules(std::string(VGW_VENDOR_DIR "/") + vendor + ".yaml");
    ASSERT_TRUE(rules.create.request.body) << vendor;
    for (const auto& in : inputs) {
      SCOPED_TRACE(vendor);
      same(*rules.create.request.body, in);
    }
  }
}

TEST(ValueTemplate, RejectsUnknownNamesAndDirectives) {
  EXPECT_THROW(tmpl("a: ${secret}"), RuleError);
  EXPECT_THROW(tmpl("a: {$value: x, $nope: 1}"), RuleError);
  EXPECT_THROW(tmpl("a: {$value: x, $as: float128}"), RuleError);
  EXPECT_THROW(tmpl("a: {$when: 'has(', $value: x}"), RuleError);
  EXPECT_THROW(tmpl("a: ${prompt"), RuleError);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int line_of(const std::string& text, const std::string& needle) {
  auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

TEST(VendorRules, ShippedFilesCompile) {
  for (const char* name :
       {"openai", "kling", "vidu", "jimeng", "hailuo", "seedance", "wan",
        "veo-gemini", "veo-vertex", "sora-relay"}) {
    auto rules =
        load_vendor_rules(std::string(VGW_VENDOR_DIR "/") + name + ".yaml");
    EXPECT_EQ(rules.name, name);
    EXPECT_FALSE(rules.models.empty());
  }
  // A field only a condition reads is declared.
  std::string yaml = read_file(VGW_VENDOR_DIR "/kling.yaml");
  yaml.replace(yaml.find("  success_when: code == 0\n"), 25,
               "  success_when: code == 0 && ok == true\n");
  EXPECT_THROW(parse_vendor_rules(yaml, "k.yaml"), RuleError);
  EXPECT_NO_THROW(parse_vendor_rules(yaml + "reply_fields: [ok]\n", "k.yaml"));
}

// A vendor takes image bytes only when its create reads images only as
// bytes: then, and only then, the gateway downloads the URLs a client sends.
TEST(VendorRules, ImageDownloadsFollowFromTheFiltersACreateReads) {
  std::map<std::string, bool> downloads = {
      {"veo-gemini", true}, {"veo-vertex", true}, {"jimeng", false},
      {"openai", false},    {"vidu", false},      {"hailuo", false},
      {"kling", false},     {"wan", false},       {"seedance", false}};
  for (const auto& [name, expected] : downloads) {
    auto rules =
        load_vendor_rules(std::string(VGW_VENDOR_DIR "/") + name + ".yaml");
    EXPECT_EQ(rules.create.fetch_image_urls, expected) << name;
  }
}

// MiniMax checks a callback URL with {"challenge": …} and wants it back.
TEST(VendorRules, ACallbackAnswerIsAConditionAndABody) {
  auto rules = load_vendor_rules(VGW_VENDOR_DIR "/hailuo.yaml");
  ASSERT_TRUE(rules.create.callback && rules.create.callback->answer);
  const auto& answer = *rules.create.callback->answer;
  Json names = Json::object();
  Json check = {{"challenge", "c-123"}};
  Json update = {{"task_id", "9"}, {"status", "Success"}};
  JsonScope asks(names), reports(names);
  asks.bind("payload", check);
  reports.bind("payload", update);
  EXPECT_TRUE(answer.when.test(asks));
  EXPECT_FALSE(answer.when.test(reports));
  EXPECT_EQ(answer.body.render(asks), Json({{"challenge", "c-123"}}));
}

struct BadRule {
  std::string from, to, reason, at;  // `at`: the text whose line is reported
};

// Each case edits `base` and must fail to load with its reason and line.
template <size_t N>
void expect_rule_errors(const std::string& base, const BadRule (&cases)[N]) {
  for (const auto& c : cases) {
    auto pos = base.find(c.from);
    ASSERT_NE(pos, std::string::npos) << c.from;
    std::string yaml = base;
    yaml.replace(pos, c.from.size(), c.to);
    try {
      parse_vendor_rules(yaml, "bad.yaml");
      ADD_FAILURE() << "accepted: " << c.to;
    } catch (const RuleError& e) {
      EXPECT_NE(std::string(e.what()).find(c.reason), std::string::npos)
          << e.what();
      EXPECT_EQ(e.line(), line_of(yaml, c.at)) << e.what();
    }
  }
}

// An edit whose request reads its source only as a file (${video|url})
// takes other vendors' videos as it takes its own; one that reads other
// names of its source (Vidu's creation id) takes only its own.
TEST(VendorRules, WhatASourceRuleTakesFollowsFromWhatItReads) {
  auto kling = load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml");
  ASSERT_TRUE(kling.edit && kling.extend);
  EXPECT_TRUE(kling.edit->takes_url);
  EXPECT_FALSE(kling.edit->takes_bytes);
  EXPECT_FALSE(kling.extend->takes_url || kling.extend->takes_bytes);
  auto vertex = load_vendor_rules(VGW_VENDOR_DIR "/veo-vertex.yaml");
  ASSERT_TRUE(vertex.extend && vertex.extend->upload);
  EXPECT_FALSE(vertex.extend->takes_url || vertex.extend->takes_bytes);
  EXPECT_TRUE(vertex.extend->upload->takes_bytes);
  EXPECT_FALSE(vertex.extend->upload->takes_url);

  const std::string base = read_file(VGW_VENDOR_DIR "/kling.yaml");
  // Reading the source's task id is reading more than its file.
  std::string by_task = base;
  by_task.replace(
      by_task.find("      model_name: kling-video-o1\n      prompt"),
      std::string("      model_name: kling-video-o1\n").size(),
      "      model_name: kling-video-o1\n      of: ${task_id}\n");
  EXPECT_FALSE(parse_vendor_rules(by_task, "k.yaml").edit->takes_url);
  const BadRule cases[] = {
      {"    video: data.task_result.videos[0].url\n",
       "    video: data.task_result.videos[0].url|base64\n", "as it is",
       "video: data.task_result.videos[0].url|base64"},
  };
  expect_rule_errors(base, cases);
}

// The keys steps and filters replaced say what to write instead.
TEST(VendorRules, FormerKeysNameWhatReplacedThem) {
  const std::string veo = read_file(VGW_VENDOR_DIR "/veo-gemini.yaml");
  const BadRule veo_cases[] = {
      {"  max_images: 2\n", "  max_images: 2\n  fetch_image_urls: true\n",
       "implied now", "fetch_image_urls"},
  };
  expect_rule_errors(veo, veo_cases);
  const std::string hailuo = read_file(VGW_VENDOR_DIR "/hailuo.yaml");
  const BadRule hailuo_cases[] = {
      {"    answer:\n      when: has(payload.challenge)\n"
       "      body: {challenge: \"${payload.challenge}\"}\n",
       "    challenge: challenge\n", "is now 'answer:", "challenge: challenge"},
      {"      when: has(payload.challenge)\n", "      when: has(challenge)\n",
       "unknown name 'challenge'", "when: has(challenge)"},
      {"    match:\n      - when: base_resp.status_code == 1026",
       "    failed_when: base_resp.status_code == 1026\n    x:\n"
       "      - when: base_resp.status_code == 1026",
       "is now 'match: [{when: X, is: failed}]'", "failed_when:"},
  };
  expect_rule_errors(hailuo, hailuo_cases);
}

TEST(VendorRules, ErrorsCarryTheLineAndReason) {
  const std::string base = read_file(VGW_VENDOR_DIR "/kling.yaml");
  const BadRule cases[] = {
      {"  task_id: data.task_id\n", "  task_id: data.task_id\n  bogus: 1\n",
       "unknown key 'bogus'", "  bogus: 1"},
      {"      succeed: completed\n", "      succeed: done\n",
       "status must map to", "      succeed: done"},
      {"path: /v1/videos/${kind}/${task_id}", "path: /v1/videos/${kind}/${tid}",
       "unknown name 'tid'", "path: /v1/videos/${kind}/${tid}"},
      {"      as: vendor_quota\n", "      as: vendor_sadness\n",
       "vendor_sadness", "as: vendor_sadness"},
      {"  supported: [5, 10]\n", "  supported: [five]\n", "",
       "supported: [five]"},
      // Conditions on replies read only what the replies hold.
      {"  success_when: code == 0\n", "  success_when: cdoe == 0\n",
       "unknown name 'cdoe' in errors.success_when", "success_when: cdoe"},
      {"    - when: code == 1103\n", "    - when: kode == 1103\n",
       "unknown name 'kode' in errors.rules[].when", "when: kode == 1103"},
      {"  status:\n    from: data.task_status\n",
       "  status:\n    from: data.task_status\n    match: [{when: dta.x == 1, "
       "is: failed}]\n",
       "unknown name 'dta' in retrieve.status.match[].when", "match: [{when"},
      // An extension's request reads the source's reply as ${source.NAME}.
      {"      video_id: ${source.video_id}\n",
       "      video_id: ${src.video_id}\n", "unknown name 'src'",
       "video_id: ${src.video_id}"},
      {"  kind: video-extend\n", "  kind: video-extend\n  bogus: 1\n",
       "unknown key 'bogus'", "  bogus: 1"},
      {"    video_id: data.task_result.videos[0].id\n", "    - data\n",
       "extend.source must be a mapping", "    - data"},
      {"    supported: [5]\n", "    supported: [five]\n", "",
       "supported: [five]"},
  };
  expect_rule_errors(base, cases);
  EXPECT_THROW(parse_vendor_rules("vendor: [x", "bad.yaml"), RuleError);
  EXPECT_THROW(parse_vendor_rules("vendor: x\n", "bad.yaml"), RuleError)
      << "create/retrieve are required";
}

// An extension of an uploaded video reads the upload, not a source reply.
TEST(VendorRules, UploadSectionErrorsCarryTheLine) {
  const std::string base = read_file(VGW_VENDOR_DIR "/veo-vertex.yaml");
  VendorRules vertex = parse_vendor_rules(base, "veo-vertex.yaml");
  ASSERT_TRUE(vertex.extend && vertex.extend->upload);
  EXPECT_EQ(vertex.extend->upload->video.types,
            std::vector<std::string>{"video/mp4"});
  const BadRule cases[] = {
      {"              bytesBase64Encoded: ${video|base64}\n",
       "              bytesBase64Encoded: ${source.video}\n",
       "unknown name 'source'",
       "              bytesBase64Encoded: ${source.video}"},
      {"              mimeType: ${video|mime}\n",
       "              mimeType: ${video.mime}\n", "filters",
       "mimeType: ${video.mime}"},
      {"      types: [video/mp4]\n    request:\n",
       "      types: [video/mp4]\n    requests:\n", "unknown key 'requests'",
       "requests:"},
  };
  expect_rule_errors(base, cases);
}

// A character's request reads its name and the upload through filters;
// its limits are checked where they are written.
TEST(VendorRules, CharacterSectionErrorsCarryTheLine) {
  const std::string base = read_file(VGW_VENDOR_DIR "/vidu.yaml");
  VendorRules vidu = parse_vendor_rules(base, "vidu.yaml");
  ASSERT_TRUE(vidu.character);
  EXPECT_EQ(vidu.character->video.max_bytes, 20000000u);
  EXPECT_EQ(vidu.character->id.text(), "id");
  EXPECT_EQ(vidu.character->models, std::vector<std::string>{"viduq2-pro"});
  const BadRule cases[] = {
      {"      videos: [\"${video|data_url}\"]\n",
       "      videos: [\"${video.data_url}\"]\n", "filters",
       "videos: [\"${video.data_url}\"]"},
      {"      name: ${name}\n", "      name: ${prompt}\n",
       "unknown name 'prompt'", "name: ${prompt}"},
      {"    max_bytes: 20000000\n", "    max_bytes: lots\n",
       "max_bytes must be a positive number", "max_bytes: lots"},
      {"  id: id\n\nresult_hosts", "\nresult_hosts", "character needs 'id'",
       "  models: [viduq2-pro]\n  video:"},
      {"    types: [video/mp4", "    kinds: [video/mp4", "unknown key 'kinds'",
       "kinds: [video/mp4"},
  };
  expect_rule_errors(base, cases);
}

}  // namespace
}  // namespace vgw
