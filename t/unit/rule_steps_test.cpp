#include <gtest/gtest.h>

#include "client_call.hpp"
#include "fake_store.hpp"
#include "gateway.hpp"
#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"
#include "util/json.hpp"

namespace vgw {
namespace {

constexpr int64_t kNow = 1764500000;

// A vendor whose every operation takes more than one call: a create opens
// a session and registers its prompt first, a status query needs the
// session's ticket, a download resolves an asset and then asks for a link,
// a deletion finds the asset of the task.
constexpr const char* kSteppedVendor = R"(vendor: acme
base_url: https://acme.test
credentials: [api_key]
auth: {scheme: bearer, token: "${cred.api_key}"}
models: [acme-1]
seconds: {supported: [5], default: 5}
size: {supported: [1280x720], default: 1280x720}
create:
  steps:
    - request: {method: POST, path: /v1/sessions, body: {model: "${vendor_model}"}}
      read: {session: data.session_id}
    - request:
        method: POST
        path: /v1/sessions/${steps.session}/prompts
        body: {text: "${prompt}"}
      read: {prompt_ref: data.ref}
  request:
    method: POST
    path: /v1/sessions/${steps.session}/videos
    body: {prompt_ref: "${steps.prompt_ref}", duration: {$value: "${seconds}", $as: int}}
  task_id: data.task_id
  carry: {session: "${steps.session}"}
retrieve:
  steps:
    - request: {path: "/v1/sessions/${carried.session}/ticket"}
      read: {ticket: data.ticket}
  request: {path: "/v1/videos/${task_id}?ticket=${steps.ticket}"}
  status: {from: data.state, map: {running: in_progress, done: completed}}
  variants:
    video:
      steps:
        - request: {path: "/v1/assets/${reply.data.asset}"}
          read: {file: data.file_id}
        - request:
            method: POST
            path: /v1/links
            body: {file: "${steps.file}", session: "${carried.session}"}
      from: data.url
delete:
  steps:
    - request: {path: "/v1/videos/${task_id}/assets"}
      read: {asset: "data.assets[0].id"}
  request: {method: DELETE, path: "/v1/assets/${steps.asset}"}
result_hosts: [cdn.acme.test]
errors:
  code: error.code
  message: error.message
)";

class RuleSteps : public ::testing::Test {
 protected:
  void SetUp() override {
    VendorSettings settings;
    settings.base_url = "https://acme.test";
    settings.credentials = {{"api_key", "acme-key"}};
    gw.add_vendor(parse_vendor_rules(kSteppedVendor, "acme.yaml"), settings);
    gw.add_id_key("unit-test-id-key-0123456789");
    gw.set_breaker(BreakerSettings{0, 0});
    gw.finalize();
  }

  Step settle(Step step) {
    while (step.kind == Step::Kind::store) {
      step = op->on_store(store.run(step.store), kNow);
    }
    return step;
  }

  Step send(std::string_view method, std::string_view path,
            std::string_view body = "") {
    client_body = std::string(body);
    op = gw.begin(testing::client_call(method, path, client_body));
    return settle(op->start(kNow));
  }

  Step reply(int status, const std::string& json) {
    reply_body = json;
    return settle(op->on_reply(testing::json_reply(status, reply_body), kNow));
  }

  // The call a step is expected to make, signed like every vendor call.
  static void expect_call(const Step& s, const std::string& method,
                          const std::string& url) {
    ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
    EXPECT_EQ(s.call.method, method);
    EXPECT_EQ(s.call.url, url);
    EXPECT_EQ(find_header(s.call.headers, "Authorization"),
              std::optional<std::string>("Bearer acme-key"));
  }

  std::string create_through_the_steps() {
    Step s =
        send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"a cat"})");
    expect_call(s, "POST", "https://acme.test/v1/sessions");
    EXPECT_EQ(Json::parse(s.call.flat_body()), Json({{"model", "acme-1"}}));
    s = reply(200, R"({"data":{"session_id":"S1"}})");
    expect_call(s, "POST", "https://acme.test/v1/sessions/S1/prompts");
    EXPECT_EQ(Json::parse(s.call.flat_body()), Json({{"text", "a cat"}}));
    s = reply(200, R"({"data":{"ref":"P9"}})");
    expect_call(s, "POST", "https://acme.test/v1/sessions/S1/videos");
    EXPECT_EQ(Json::parse(s.call.flat_body()),
              Json({{"prompt_ref", "P9"}, {"duration", 5}}));
    s = reply(200, R"({"data":{"task_id":"T1"}})");
    EXPECT_EQ(s.response.status, 200) << s.response.body;
    return Json::parse(s.response.body)["id"];
  }

  Gateway gw;
  testing::FakeStore store;
  std::unique_ptr<Operation> op;
  std::string client_body, reply_body;
};

TEST_F(RuleSteps, ACreateMakesItsStepsInOrderAndSealsWhatTheyRead) {
  std::string id = create_through_the_steps();
  Step s = send("GET", "/v1/videos/" + id);
  expect_call(s, "GET", "https://acme.test/v1/sessions/S1/ticket");
  s = reply(200, R"({"data":{"ticket":"K5"}})");
  expect_call(s, "GET", "https://acme.test/v1/videos/T1?ticket=K5");
  s = reply(200, R"({"data":{"state":"running"}})");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_EQ(Json::parse(s.response.body)["status"], "in_progress");

  s = send("GET", "/v1/videos/" + id + "/content");
  expect_call(s, "GET", "https://acme.test/v1/sessions/S1/ticket");
  s = reply(200, R"({"data":{"ticket":"K6"}})");
  expect_call(s, "GET", "https://acme.test/v1/videos/T1?ticket=K6");
  s = reply(200, R"({"data":{"state":"done","asset":"A7"}})");
  expect_call(s, "GET", "https://acme.test/v1/assets/A7");
  s = reply(200, R"({"data":{"file_id":"F3"}})");
  expect_call(s, "POST", "https://acme.test/v1/links");
  // The session a create step read came back from the id.
  EXPECT_EQ(Json::parse(s.call.flat_body()),
            Json({{"file", "F3"}, {"session", "S1"}}));
  s = reply(200, R"({"data":{"url":"https://cdn.acme.test/v.mp4"}})");
  ASSERT_EQ(s.kind, Step::Kind::stream_media) << s.response.body;
  EXPECT_EQ(s.media.url, "https://cdn.acme.test/v.mp4");
}

TEST_F(RuleSteps, ADeletionFindsWhatToDeleteFirst) {
  std::string id = create_through_the_steps();
  Step s = send("DELETE", "/v1/videos/" + id);
  // A video is deleted once finished: the gateway's own status query first.
  expect_call(s, "GET", "https://acme.test/v1/sessions/S1/ticket");
  s = reply(200, R"({"data":{"ticket":"K7"}})");
  expect_call(s, "GET", "https://acme.test/v1/videos/T1?ticket=K7");
  s = reply(200, R"({"data":{"state":"done","asset":"A7"}})");
  expect_call(s, "GET", "https://acme.test/v1/videos/T1/assets");
  s = reply(200, R"({"data":{"assets":[{"id":"A7"}]}})");
  expect_call(s, "DELETE", "https://acme.test/v1/assets/A7");
  s = reply(200, "{}");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_EQ(s.response.status, 200) << s.response.body;
  EXPECT_EQ(Json::parse(s.response.body)["deleted"], true);
}

TEST_F(RuleSteps, AStepThatFailsEndsTheCreateBeforeAnyTaskAndMayBeRetried) {
  Step s = send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"p"})");
  s = reply(503, R"({"error":{"code":"busy","message":"try later"}})");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_GE(s.response.status, 500) << s.response.body;
  EXPECT_FALSE(find_header(s.response.headers, "x-should-retry"))
      << "no task can exist before the create call";

  s = send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"p"})");
  s = reply(200, R"({"data":{"session_id":"S1"}})");
  s = reply(200, R"({"data":{}})");
  ASSERT_EQ(s.kind, Step::Kind::respond) << "no create without the prompt ref";
  EXPECT_EQ(s.response.status, 502);
  Json error = Json::parse(s.response.body)["error"];
  EXPECT_EQ(error["code"], "vendor_bad_reply");
  EXPECT_NE(error["message"].get<std::string>().find("prompt_ref"),
            std::string::npos)
      << error;
}

TEST_F(RuleSteps, WhatAStepReadsMustGoIntoARequestAsIt) {
  Step s = send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"p"})");
  s = reply(200, R"({"data":{"session_id":"S1/../x y"}})");
  ASSERT_EQ(s.kind, Step::Kind::respond) << "no call with a spaced name";
  EXPECT_EQ(s.response.status, 502);
  s = send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"p"})");
  s = reply(200, R"({"data":{"session_id":{"nested":1}}})");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_EQ(s.response.status, 502);
}

TEST_F(RuleSteps, AStepRefusingTheAccountLetsAPoolTryAnother) {
  Step s = send("POST", "/v1/videos", R"({"model":"acme-1","prompt":"p"})");
  s = reply(401, R"({"error":{"code":"bad_key","message":"no"}})");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_TRUE(op->facts().try_next_account);
}

TEST_F(RuleSteps, ADeletionWhoseStepFindsNothingIsDone) {
  std::string id = create_through_the_steps();
  Step s = send("DELETE", "/v1/videos/" + id);
  s = reply(200, R"({"data":{"ticket":"K7"}})");
  s = reply(200, R"({"data":{"state":"done","asset":"A7"}})");
  expect_call(s, "GET", "https://acme.test/v1/videos/T1/assets");
  s = reply(404, R"({"error":{"code":"gone","message":"no such task"}})");
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_EQ(s.response.status, 200) << s.response.body;
}

std::string vendor_with(const std::string& create) {
  return R"(vendor: v
base_url: https://v.test
models: [m]
seconds: {default: 5}
size: {default: 1280x720}
create:
)" + create +
         R"(retrieve:
  request: {path: "/t/${task_id}"}
  status: {from: s, map: {done: completed}}
  variants: {video: {from: url}}
)";
}

void expect_load_error(const std::string& yaml, const std::string& words,
                       int line) {
  try {
    parse_vendor_rules(yaml, "v.yaml");
    ADD_FAILURE() << "accepted:\n" << yaml;
  } catch (const RuleError& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), line) << e.what();
  }
}

TEST(RuleStepRules, AreCheckedAtLoadWithTheirLines) {
  expect_load_error(vendor_with("  request: {method: POST, path: "
                                "\"/c/${steps.x}\"}\n  task_id: id\n"),
                    "steps", 7);
  expect_load_error(vendor_with("  steps:\n"
                                "    - request: {path: /a}\n"
                                "      read: {2x: id}\n"
                                "  request: {method: POST, path: /c}\n"
                                "  task_id: id\n"),
                    "bad step name", 9);
  expect_load_error(vendor_with("  steps:\n"
                                "    - request: {path: /a}\n"
                                "      read: {x: id}\n"
                                "    - request: {path: /b}\n"
                                "      read: {x: other}\n"
                                "  request: {method: POST, path: /c}\n"
                                "  task_id: id\n"),
                    "read twice", 11);
  expect_load_error(vendor_with("  steps:\n"
                                "    - request: {path: \"/a/${nope}\"}\n"
                                "  request: {method: POST, path: /c}\n"
                                "  task_id: id\n"),
                    "nope", 8);
  expect_load_error(vendor_with("  steps:\n"
                                "    - request: {method: POST, path: /a, "
                                "body: {i: \"${image|base64}\"}}\n"
                                "  request: {method: POST, path: /c}\n"
                                "  task_id: id\n"),
                    "without images or videos", 8);
  expect_load_error(vendor_with("  steps: []\n"
                                "  request: {method: POST, path: /c}\n"
                                "  task_id: id\n"),
                    "list of {request, read}", 7);
  EXPECT_NO_THROW(parse_vendor_rules(
      vendor_with("  steps:\n"
                  "    - request: {path: /a}\n"
                  "      read: {x: data.id}\n"
                  "  request: {method: POST, path: \"/c/${steps.x}\"}\n"
                  "  task_id: id\n"),
      "v.yaml"));
}

TEST(RuleStepRules, TheFormerSpellingsNameTheirReplacements) {
  std::string base = vendor_with(
      "  request: {method: POST, path: /c}\n"
      "  task_id: id\n");
  std::string lookup = base;
  lookup.replace(lookup.find("{video: {from: url}}"),
                 std::string("{video: {from: url}}").size(),
                 "{video: {lookup: {path: /f}, from: url}}");
  expect_load_error(lookup, "steps:", 12);
  std::string inline_file = base;
  inline_file.replace(inline_file.find("{video: {from: url}}"),
                      std::string("{video: {from: url}}").size(),
                      "{video: {inline: data}}");
  expect_load_error(inline_file, "from: PATH|base64", 12);
  std::string other_filter = base;
  other_filter.replace(other_filter.find("{video: {from: url}}"),
                       std::string("{video: {from: url}}").size(),
                       "{video: {from: data|url}}");
  expect_load_error(other_filter, "only '|base64'", 12);
  std::string file = base;
  file.replace(file.find("{video: {from: url}}"),
               std::string("{video: {from: url}}").size(),
               "{video: {from: data|base64}}");
  VendorRules rules = parse_vendor_rules(file, "v.yaml");
  EXPECT_TRUE(rules.retrieve.variants.at("video").from_is_file);
  EXPECT_EQ(rules.retrieve.variants.at("video").from->text(), "data");
}

// The rule fuzzer's seed of every step-shaped feature stays a valid file,
// so the fuzzer starts from inputs that reach them.
TEST(RuleStepRules, TheFuzzSeedLoads) {
  VendorRules rules = load_vendor_rules(
      VGW_VENDOR_DIR "/../../t/fuzz/corpus/vendor_rules/steps.yaml");
  EXPECT_EQ(rules.create.request.steps.size(), 1u);
  EXPECT_EQ(rules.retrieve.request.steps.size(), 1u);
  EXPECT_TRUE(rules.create.fetch_image_urls);
  EXPECT_TRUE(rules.create.callback && rules.create.callback->answer);
  EXPECT_EQ(rules.retrieve.status.match.size(), 1u);
  EXPECT_TRUE(rules.retrieve.variants.at("video").from_is_file);
  ASSERT_TRUE(rules.edit);
  EXPECT_TRUE(rules.edit->takes_url);
  ASSERT_TRUE(rules.deletion);
  EXPECT_EQ(rules.deletion->request.steps.size(), 1u);
}

}  // namespace
}  // namespace vgw
