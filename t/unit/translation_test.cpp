#include <gtest/gtest.h>

#include "fake_store.hpp"

#include "auth/jwt_hs256.hpp"
#include "client_call.hpp"
#include "crypto/crypto.hpp"
#include "gateway.hpp"
#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"
#include "util/base64.hpp"

namespace vgw {
namespace {

constexpr int64_t kNow = 1764500000;
constexpr const char* kTenant = "Bearer client-a";

// Golden translations: one OpenAI request in, the exact vendor call out,
// then a vendor reply in and the exact client response out.
class Translation : public ::testing::Test {
 protected:
  void SetUp() override {
    using testing::add_vendor;
    add_vendor(gw, "kling", "https://kling.test",
               {{"access_key", "AK"}, {"secret_key", "SK"}});
    add_vendor(gw, "openai", "https://relay.test/openai",
               {{"api_key", "sk-up"}});
    add_vendor(gw, "jimeng", "https://visual.test",
               {{"access_key", "AK"}, {"secret_key", "SK"}});
    add_vendor(gw, "hailuo", "https://minimax.test", {{"api_key", "mm-key"}});
    gw.add_id_key("unit-test-id-key-0123456789");
    // As the shipped nginx.conf sets them.
    gw.set_default_model("sora-2");
    gw.add_echo_parameter("fps");
    gw.add_echo_parameter("seed");
    // These drive one operation call by call; the breaker's store reads
    // around each call are circuit_breaker_test's.
    gw.set_breaker(BreakerSettings{0, 0});
    gw.finalize();
  }

  // Starts a client request against the gateway.
  Step send(std::string_view method, std::string_view path,
            std::string_view args = "", std::string_view binding = kTenant) {
    ClientCall call = testing::client_call(method, path, body, binding, args);
    call.unified_openai_words = openai_words;
    op = gw.begin(call);
    return settle(op->start(kNow), kNow);
  }

  // Store steps (usage records, breakers) answered as the nginx layer does.
  Step settle(Step step, int64_t now) {
    while (step.kind == Step::Kind::store) {
      step = op->on_store(store.run(step.store), now);
    }
    return step;
  }

  Step create(const std::string& json, const char* path = "/v1/videos") {
    body = json;
    return send("POST", path);
  }

  Step reply(int status, const std::string& json, int64_t now = kNow) {
    reply_body = json;
    return settle(op->on_reply(testing::json_reply(status, reply_body), now),
                  now);
  }

  Step get(const std::string& path, const std::string& args = "") {
    return send("GET", path, args);
  }

  std::string created_id(const Step& s) {
    EXPECT_EQ(s.kind, Step::Kind::respond);
    EXPECT_EQ(s.response.status, 200) << s.response.body;
    return Json::parse(s.response.body)["id"];
  }

  Gateway gw;
  testing::FakeStore store;
  bool openai_words = false;
  std::string body, reply_body;
  std::unique_ptr<Operation> op;
};

Json body_of(const Step& s) { return Json::parse(s.call.flat_body()); }
Json response_of(const Step& s) { return Json::parse(s.response.body); }

TEST_F(Translation, KlingTextToVideo) {
  auto s = create(R"({"model":"kling-v2-6","prompt":"a fox","seconds":"8",
                      "size":"720x1280","metadata":{"negative_prompt":"blur"}})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  EXPECT_EQ(s.call.method, "POST");
  EXPECT_EQ(s.call.url, "https://kling.test/v1/videos/text2video");
  EXPECT_EQ(body_of(s), (Json{{"model_name", "kling-v2-6"},
                              {"prompt", "a fox"},
                              {"duration", "10"},
                              {"aspect_ratio", "9:16"},
                              {"negative_prompt", "blur"}}));
  auto auth = find_header(s.call.headers, "Authorization");
  ASSERT_TRUE(auth);
  auto expected =
      "Bearer " + jwt_hs256(nlohmann::ordered_json{{"iss", "AK"},
                                                   {"exp", kNow + 1800},
                                                   {"nbf", kNow - 5}},
                            "SK");
  EXPECT_EQ(*auth, expected);
  EXPECT_EQ(find_header(s.call.headers, "Content-Type"), "application/json");

  auto done = reply(200, R"({"code":0,"message":"SUCCEED","request_id":"r",
      "data":{"task_id":"T1","task_status":"submitted","created_at":1764500000123}})");
  auto video = response_of(done);
  EXPECT_EQ(video["object"], "video");
  EXPECT_EQ(video["status"], "queued");
  EXPECT_EQ(video["model"], "kling-v2-6");
  EXPECT_EQ(video["seconds"], "10");
  EXPECT_EQ(video["size"], "720x1280");
  EXPECT_EQ(video["created_at"], kNow);
  EXPECT_EQ(video["progress"], 0);
  EXPECT_TRUE(video["error"].is_null());
  EXPECT_EQ(video.size(), 13u) << video.dump();
  EXPECT_EQ(op->facts().task_id, "T1");
}

TEST_F(Translation, KlingImageToVideoAndItsQueryPath) {
  auto s = create(R"({"model":"kling-v1-6","prompt":"p",
      "input_reference":{"image_url":"data:image/png;base64,iVBORw0KGgo="}})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor);
  EXPECT_EQ(s.call.url, "https://kling.test/v1/videos/image2video");
  auto b = body_of(s);
  EXPECT_EQ(b["image"], "iVBORw0KGgo=") << "Kling refuses the data: prefix";
  EXPECT_FALSE(b.contains("aspect_ratio"));
  EXPECT_EQ(b["duration"], "5");
  auto id = created_id(reply(
      200, R"({"code":0,"data":{"task_id":"T2","task_status":"submitted"}})"));

  auto poll = get("/v1/videos/" + id);
  ASSERT_EQ(poll.kind, Step::Kind::call_vendor);
  EXPECT_EQ(poll.call.method, "GET");
  EXPECT_EQ(poll.call.url, "https://kling.test/v1/videos/image2video/T2");
  auto v = response_of(reply(200, R"({"code":0,"message":"SUCCEED","data":{
      "task_id":"T2","task_status":"succeed","updated_at":1764500090000,
      "task_result":{"videos":[{"url":"https://cdn.klingai.com/v.mp4"}]}}})"));
  EXPECT_EQ(v["id"], id);
  EXPECT_EQ(v["status"], "completed");
  EXPECT_EQ(v["progress"], 100);
  EXPECT_EQ(v["completed_at"], kNow + 90);
  EXPECT_EQ(v["expires_at"], kNow + 90 + 2592000);

  auto content = get("/v1/videos/" + id + "/content");
  ASSERT_EQ(content.kind, Step::Kind::call_vendor) << "looks the URL up fresh";
  auto stream =
      reply(200, R"({"code":0,"data":{"task_id":"T2","task_status":"succeed",
      "task_result":{"videos":[{"url":"https://cdn.klingai.com/v.mp4?sig=1"}]}}})");
  ASSERT_EQ(stream.kind, Step::Kind::stream_media) << stream.response.body;
  EXPECT_EQ(stream.media.url, "https://cdn.klingai.com/v.mp4?sig=1");
  EXPECT_FALSE(find_header(stream.media.headers, "Authorization"))
      << "no vendor credentials to the CDN";
  EXPECT_EQ(stream.media.content_type, "video/mp4");
}

TEST_F(Translation, KlingFailureAndProgressEstimate) {
  auto id = created_id(
      (create(R"({"model":"kling-v2-6","prompt":"p"})"),
       reply(
           200,
           R"({"code":0,"data":{"task_id":"T3","task_status":"submitted"}})")));
  get("/v1/videos/" + id);
  auto running = response_of(reply(
      200, R"({"code":0,"data":{"task_id":"T3","task_status":"processing"}})",
      kNow + 60));
  EXPECT_EQ(running["status"], "in_progress");
  EXPECT_GT(running["progress"].get<int>(), 0);
  EXPECT_LT(running["progress"].get<int>(), 100);

  get("/v1/videos/" + id);
  auto failed = response_of(reply(200, R"({"code":0,"message":"SUCCEED","data":{
      "task_id":"T3","task_status":"failed","task_status_msg":"risk control"}})"));
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"]["message"], "risk control");
  EXPECT_TRUE(failed["error"]["code"].is_string());

  auto content = get("/v1/videos/" + id + "/content");
  auto refused = reply(
      200, R"({"code":0,"data":{"task_id":"T3","task_status":"failed"}})");
  ASSERT_EQ(refused.kind, Step::Kind::respond);
  EXPECT_GE(refused.response.status, 400);
  EXPECT_LT(refused.response.status, 500);
  EXPECT_TRUE(response_of(refused)["error"].is_object());
}

TEST_F(Translation, UnknownVendorStatusIsInProgress) {
  auto id = created_id(
      (create(R"({"model":"kling-v2-6","prompt":"p"})"),
       reply(
           200,
           R"({"code":0,"data":{"task_id":"T4","task_status":"submitted"}})")));
  get("/v1/videos/" + id);
  auto v = response_of(reply(
      200, R"({"code":0,"data":{"task_id":"T4","task_status":"warming_up"}})"));
  EXPECT_EQ(v["status"], "in_progress");
  get("/v1/videos/" + id);
  auto late = response_of(reply(
      200, R"({"code":0,"data":{"task_id":"T4","task_status":"warming_up"}})",
      kNow + 86401));
  EXPECT_EQ(late["status"], "failed") << "not forever";
  EXPECT_EQ(late["error"]["code"], "vendor_status_unknown");
  get("/v1/videos/" + id);
  auto known = response_of(reply(
      200, R"({"code":0,"data":{"task_id":"T4","task_status":"processing"}})",
      kNow + 86401));
  EXPECT_EQ(known["status"], "in_progress") << "a known status is believed";
}

struct ErrorCase {
  int http_status;
  const char* body;
  int client_status;
  const char* code;
};

TEST_F(Translation, KlingCreateErrorsMapToOpenAIStatuses) {
  const ErrorCase cases[] = {
      {401, R"({"code":1002,"message":"bad token"})", 502, nullptr},
      {429, R"({"code":1302,"message":"too fast"})", 429, nullptr},
      {400, R"({"code":1201,"message":"bad duration"})", 400, nullptr},
      {400, R"({"code":1301,"message":"unsafe"})", 400, nullptr},
      {500, R"({"code":5000,"message":"boom"})", 502, nullptr},
      {502, "<html>bad gateway</html>", 502, nullptr},
  };
  for (const auto& c : cases) {
    create(R"({"model":"kling-v2-6","prompt":"p"})");
    auto s = reply(c.http_status, c.body);
    ASSERT_EQ(s.kind, Step::Kind::respond);
    EXPECT_EQ(s.response.status, c.client_status) << c.body;
    auto e = response_of(s)["error"];
    ASSERT_TRUE(e.is_object()) << s.response.body;
    EXPECT_TRUE(e["message"].is_string());
    EXPECT_TRUE(e.contains("param") && e.contains("code") &&
                e.contains("type"));
    EXPECT_EQ(s.response.body.find("SK"), std::string::npos);
    if (c.client_status == 429) {
      EXPECT_TRUE(find_header(s.response.headers, "Retry-After"));
    }
  }
}

TEST_F(Translation, NoRetryableStatusOnceATaskMayExist) {
  create(R"({"model":"kling-v2-6","prompt":"p"})");
  UpstreamReply lost;
  lost.timed_out = true;
  lost.request_sent = true;
  auto s = op->on_reply(lost, kNow);
  ASSERT_EQ(s.kind, Step::Kind::respond);
  EXPECT_EQ(s.response.status, 504);
  EXPECT_EQ(find_header(s.response.headers, "x-should-retry"), "false");

  create(R"({"model":"kling-v2-6","prompt":"p"})");
  UpstreamReply refused;  // connection refused: nothing reached the vendor
  s = op->on_reply(refused, kNow);
  EXPECT_EQ(s.response.status, 502);
  EXPECT_FALSE(find_header(s.response.headers, "x-should-retry"));

  create(R"({"model":"kling-v2-6","prompt":"p"})");
  s = reply(200, R"({"code":0,"data":{}})");
  EXPECT_EQ(s.response.status, 502) << "no task id in a 200";
}

TEST_F(Translation, OpenAICompatibleUpstreamForwardsMultipartAndMapsIds) {
  auto s =
      create(R"({"model":"sora-2","prompt":"p","seconds":"4","size":"1280x720",
      "input_reference":{"image_url":"https://img.test/a.png"}})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  EXPECT_EQ(s.call.url, "https://relay.test/openai/v1/videos");
  EXPECT_EQ(find_header(s.call.headers, "Authorization"), "Bearer sk-up");
  auto ct = find_header(s.call.headers, "Content-Type");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->rfind("multipart/form-data; boundary=", 0), 0u);
  EXPECT_NE(s.call.flat_body().find("name=\"prompt\"\r\n\r\np\r\n"),
            std::string::npos);
  EXPECT_NE(
      s.call.flat_body().find("name=\"input_reference[image_url]\"\r\n\r\n"
                              "https://img.test/a.png\r\n"),
      std::string::npos)
      << s.call.flat_body();
  auto id = created_id(reply(200, R"({"id":"video_up1","object":"video",
      "status":"queued","model":"sora-2","seconds":"4","size":"1280x720","progress":0,
      "created_at":1764500001})"));
  EXPECT_NE(id, "video_up1") << "the upstream id is sealed, not exposed";

  auto poll = get("/v1/videos/" + id);
  EXPECT_EQ(poll.call.url, "https://relay.test/openai/v1/videos/video_up1");
  auto v = response_of(reply(200, R"({"id":"video_up1","status":"processing",
      "progress":37})"));
  EXPECT_EQ(v["status"], "in_progress") << "relay synonym normalised";
  EXPECT_EQ(v["progress"], 37);

  auto content = get("/v1/videos/" + id + "/content", "variant=thumbnail");
  auto stream =
      reply(200, R"({"id":"video_up1","status":"completed","progress":100})");
  ASSERT_EQ(stream.kind, Step::Kind::stream_media) << stream.response.body;
  EXPECT_EQ(stream.media.url,
            "https://relay.test/openai/v1/videos/video_up1/"
            "content?variant=thumbnail");
  EXPECT_EQ(find_header(stream.media.headers, "Authorization"), "Bearer sk-up");
}

TEST_F(Translation, JimengCarriesTheReqKeyIntoTheStatusQuery) {
  auto s = create(R"({"model":"jimeng-v30","prompt":"p","seconds":"10",
      "input_reference":{"image_url":"https://img.test/a.png"}})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  EXPECT_EQ(s.call.url,
            "https://visual.test/"
            "?Action=CVSync2AsyncSubmitTask&Version=2022-08-31");
  EXPECT_EQ(body_of(s), (Json{{"req_key", "jimeng_i2v_first_v30"},
                              {"prompt", "p"},
                              {"frames", 241},
                              {"image_urls", {"https://img.test/a.png"}}}));
  auto auth = find_header(s.call.headers, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->rfind("HMAC-SHA256 Credential=AK/", 0), 0u);
  auto id = created_id(reply(200, R"({"code":10000,"message":"Success",
      "data":{"task_id":"77"}})"));

  auto poll = get("/v1/videos/" + id);
  EXPECT_EQ(poll.call.method, "POST");
  EXPECT_EQ(body_of(poll),
            (Json{{"req_key", "jimeng_i2v_first_v30"}, {"task_id", "77"}}));
  auto v =
      response_of(reply(200, R"({"code":50411,"message":"Pre Img Risk Not Pass",
                     "data":null})"));
  EXPECT_EQ(v["status"], "failed") << "a review failure is a failed video";
  EXPECT_EQ(v["error"]["message"], "Pre Img Risk Not Pass");

  get("/v1/videos/" + id);
  auto limited =
      reply(200, R"({"code":50429,"message":"Request Has Reached API Limit"})");
  EXPECT_EQ(limited.response.status, 429) << "other codes are API errors";
}

TEST_F(Translation, HailuoLooksUpTheFileBeforeStreaming) {
  auto id = created_id(
      (create(R"({"model":"MiniMax-Hailuo-02","prompt":"p"})"),
       reply(200, R"({"task_id":"9","base_resp":{"status_code":0}})")));
  auto s = get("/v1/videos/" + id + "/content");
  EXPECT_EQ(s.call.url,
            "https://minimax.test/v1/query/video_generation?task_id=9");
  s = reply(200, R"({"task_id":"9","status":"Success","file_id":"555",
                     "base_resp":{"status_code":0}})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor);
  EXPECT_EQ(s.call.url, "https://minimax.test/v1/files/retrieve?file_id=555");
  EXPECT_EQ(find_header(s.call.headers, "Authorization"), "Bearer mm-key");
  s = reply(200, R"({"file":{"file_id":555,"download_url":
      "https://cdn.minimax.io/v.mp4?sig=x"},"base_resp":{"status_code":0}})");
  ASSERT_EQ(s.kind, Step::Kind::stream_media) << s.response.body;
  EXPECT_EQ(s.media.url, "https://cdn.minimax.io/v.mp4?sig=x");
  EXPECT_TRUE(s.media.headers.empty());
}

TEST_F(Translation, UnifiedDialectSpeaksTaskIdsAndRelayStatusWords) {
  auto s = create(R"({"model":"kling-v1","prompt":"p","size":"1920x1080",
      "image":"https://img.test/a.jpg","duration":5,
      "metadata":{"seed":20231234,"negative_prompt":"x"}})",
                  "/v1/video/generations");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  EXPECT_EQ(body_of(s)["image"], "https://img.test/a.jpg");
  s = reply(200,
            R"({"code":0,"data":{"task_id":"U1","task_status":"submitted"}})");
  auto created = response_of(s);
  EXPECT_EQ(created.size(), 2u) << created.dump();
  EXPECT_EQ(created["status"], "queued");
  std::string id = created["task_id"];
  EXPECT_EQ(id.rfind("video_", 0), 0u);

  get("/v1/video/generations/" + id);
  auto running = response_of(reply(
      200, R"({"code":0,"data":{"task_id":"U1","task_status":"processing"}})"));
  EXPECT_EQ(running["status"], "processing");
  EXPECT_TRUE(running["url"].is_null());

  get("/v1/video/generations/" + id);
  auto done = response_of(reply(200, R"({"code":0,"data":{"task_id":"U1",
      "task_status":"succeed","task_result":{"videos":[{"url":"https://x"}]}}})"));
  EXPECT_EQ(done["status"], "succeeded");
  EXPECT_EQ(done["url"], "https://gw.test/v1/videos/" + id + "/content");
  EXPECT_EQ(done["format"], "mp4");
  EXPECT_EQ(done["metadata"], (Json{{"duration", 5},
                                    {"width", 1920},
                                    {"height", 1080},
                                    {"seed", 20231234}}));
  EXPECT_TRUE(done["error"].is_null());

  // The same id through the OpenAI API, with the extra keys.
  get("/v1/videos/" + id);
  auto video = response_of(reply(200, R"({"code":0,"data":{"task_id":"U1",
      "task_status":"succeed","task_result":{"videos":[{"url":"https://x"}]}}})"));
  EXPECT_EQ(video["status"], "completed");
  EXPECT_EQ(video["video_url"], "https://gw.test/v1/videos/" + id + "/content");
  EXPECT_EQ(video["metadata"]["seed"], 20231234);

  openai_words = true;
  get("/v1/video/generations/" + id);
  EXPECT_EQ(
      response_of(reply(
          200, R"({"code":0,"data":{"task_status":"succeed"}})"))["status"],
      "completed");

  s = create(R"({"model":"nope","prompt":"p"})", "/v1/video/generations");
  EXPECT_EQ(s.response.status, 400);
  auto bare = response_of(s);
  EXPECT_EQ(bare["param"], "model") << "errors are bare in this dialect";
  EXPECT_FALSE(bare.contains("error"));
}

TEST_F(Translation, RelayFieldsFoldIntoTheOpenAIOnes) {
  auto s = create(R"({"model":"kling-v2-6","prompt":"p","duration":10,
      "width":720,"height":1280,"n":1,"response_format":"url","user":"u1"})");
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  EXPECT_EQ(body_of(s)["duration"], "10");
  EXPECT_EQ(body_of(s)["aspect_ratio"], "9:16");
  EXPECT_EQ(create(R"({"prompt":"p","n":2})").response.status, 400);
  EXPECT_EQ(
      create(R"({"prompt":"p","response_format":"b64_json"})").response.status,
      400);
  EXPECT_EQ(create(R"({"prompt":"p","duration":5.5})").response.status, 400);
  EXPECT_EQ(
      create(R"({"prompt":"p","seconds":"8","duration":4})").response.status,
      400);
}

TEST_F(Translation, CallbacksOnlyForVendorsThatCanCallBack) {
  auto s = create(
      R"({"model":"sora-2","prompt":"p","callback_url":"https://h.test/x"})");
  EXPECT_EQ(s.response.status, 400);
  EXPECT_EQ(response_of(s)["error"]["code"], "unsupported_by_vendor");
  s = create(
      R"({"model":"kling-v2-6","prompt":"p","callback_url":"https://h.test/x"})");
  EXPECT_EQ(s.response.status, 400) << "no webhook secret configured";
  EXPECT_EQ(response_of(s)["error"]["code"], "invalid_callback_url");
}

TEST(WebhookPolicy, RefusesInternalTargetsUnlessAllowed) {
  WebhookPolicy p;
  EXPECT_TRUE(p.refuse("https://hooks.example.com/x")) << "not enabled";
  p.secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=";
  EXPECT_FALSE(p.refuse("https://hooks.example.com/x"));
  for (const char* bad :
       {"http://127.0.0.1/x", "http://10.1.2.3/", "http://172.20.0.1/",
        "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
        "http://[::1]/", "http://[fd00::1]/", "http://[::ffff:10.0.0.1]/",
        "http://localhost/", "http://db.internal/", "ftp://x/", "nonsense"}) {
    EXPECT_TRUE(p.refuse(bad)) << bad;
  }
  p.allow = {"127.0.0.1", "*.example.com"};
  EXPECT_FALSE(p.refuse("http://127.0.0.1:9000/hook"));
  EXPECT_FALSE(p.refuse("https://a.example.com/hook"));
  EXPECT_TRUE(p.refuse("https://evil.test/hook"));
}

TEST_F(Translation, RoutingAndIdErrors) {
  auto s = create(R"({"model":"veo-99","prompt":"p"})");
  EXPECT_EQ(s.response.status, 400);
  EXPECT_EQ(response_of(s)["error"]["param"], "model");

  s = get("/v1/videos/video_notarealid");
  EXPECT_EQ(s.response.status, 404);
  s = get("/v1/videos/abc/content");
  EXPECT_EQ(s.response.status, 404);
  EXPECT_EQ(send("DELETE", "/v1/videos").response.status, 405);
  EXPECT_EQ(send("PUT", "/v1/videos/x").response.status, 405);

  auto id = created_id(
      (create(R"({"model":"kling-v2-6","prompt":"p"})"),
       reply(
           200,
           R"({"code":0,"data":{"task_id":"T5","task_status":"submitted"}})")));
  EXPECT_EQ(send("GET", "/v1/videos/" + id, "", "Bearer other").response.status,
            404)
      << "bound to the tenant";
  s = get("/v1/videos/" + id + "/content", "variant=spritesheet");
  EXPECT_EQ(s.response.status, 404) << "Kling has no spritesheet";
}

}  // namespace
}  // namespace vgw

namespace vgw {
namespace {

// Nothing about Sora is built in: the default model and the echoed relay
// parameters come from nginx.conf, the default seconds and size from each
// vendor's file.
TEST(SoraDefaults, AreConfigurationNotCode) {
  Gateway gw;
  testing::add_vendor(gw, "kling", "https://kling.test",
                      {{"access_key", "AK"}, {"secret_key", "SK"}});
  gw.add_id_key("unit-test-id-key-0123456789");
  gw.finalize();
  std::string body = R"({"prompt":"no model"})";
  auto op = gw.begin(testing::client_call("POST", "/v1/videos", body));
  Step s = op->start(kNow);
  EXPECT_EQ(s.response.status, 400);
  EXPECT_EQ(Json::parse(s.response.body)["error"]["param"], "model");

  // Unechoed, a seed is one of Kling's extras: accepted, not sent, named.
  testing::FakeStore store;
  body = R"({"model":"kling-v2-6","prompt":"p","seed":7})";
  op = gw.begin(testing::client_call("POST", "/v1/videos", body));
  s = op->start(kNow);
  while (s.kind == Step::Kind::store)
    s = op->on_store(store.run(s.store), kNow);
  ASSERT_EQ(s.kind, Step::Kind::call_vendor) << s.response.body;
  UpstreamReply r;
  r.status = 200;
  r.request_sent = true;
  std::string reply =
      R"({"code":0,"data":{"task_id":"T1","task_status":"submitted"}})";
  r.body = reply;
  s = op->on_reply(r, kNow);
  while (s.kind == Step::Kind::store)
    s = op->on_store(store.run(s.store), kNow);
  ASSERT_EQ(s.response.status, 200) << s.response.body;
  EXPECT_FALSE(Json::parse(s.response.body).contains("metadata"));
  EXPECT_EQ(find_header(s.response.headers, "x-vgw-ignored-parameters"),
            std::optional<std::string>("seed"));

  for (const char* missing :
       {"seconds: {unsupported: nearest}\nsize: {default: 1280x720}\n",
        "seconds: {default: 5}\nsize: {unsupported: reject}\n"}) {
    std::string yaml = std::string(R"(vendor: v
base_url: https://v.test
models: [m]
)") + missing + R"(create: {request: {method: POST, path: /c}, task_id: id}
retrieve:
  request: {path: "/t/${task_id}"}
  status: {from: s, map: {done: completed}}
  variants: {video: {from: url, content_type: video/mp4}}
)";
    try {
      parse_vendor_rules(yaml, "v.yaml");
      ADD_FAILURE() << "accepted " << missing;
    } catch (const RuleError& e) {
      EXPECT_NE(std::string(e.what()).find("needs a 'default'"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace vgw
