#include <gtest/gtest.h>

#include "catalog/catalog_record.hpp"
#include "client_call.hpp"
#include "fake_store.hpp"
#include "gateway.hpp"
#include "util/json.hpp"

namespace vgw {
namespace {

constexpr int64_t kNow = 1764500000;
constexpr const char* kAlice = "Bearer alice";

// The catalogue through the whole gateway: Kling creates and polls, the
// store a map the test can look into and take away.
class Catalog : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::add_vendor(gw, "kling", "https://kling.test",
                        {{"access_key", "AK"}, {"secret_key", "SK"}});
    gw.add_id_key("unit-test-id-key-0123456789");
    gw.set_breaker(BreakerSettings{0, 0});
    gw.finalize();
  }

  // Runs a request to its answer; vendor calls get `vendor_replies` in
  // turn.
  HttpResponse run(std::string_view method, std::string_view path,
                   std::string_view args = "",
                   std::string_view binding = kAlice) {
    ClientCall call = testing::client_call(method, path, body, binding, args);
    op = gw.begin(call);
    Step step = op->start(kNow);
    for (int i = 0; i < 200; ++i) {
      if (step.kind == Step::Kind::store) {
        step = op->on_store(store.run(step.store), kNow);
      } else if (step.kind == Step::Kind::call_vendor) {
        ++vendor_calls;
        UpstreamReply r;
        r.status = 200;
        r.request_sent = true;
        reply_body = vendor_reply;
        r.body = reply_body;
        r.headers = {{"Content-Type", "application/json"}};
        step = op->on_reply(r, kNow);
      } else {
        EXPECT_EQ(step.kind, Step::Kind::respond);
        return step.response;
      }
    }
    ADD_FAILURE() << "no answer";
    return {};
  }

  std::string create(const std::string& prompt, const std::string& task,
                     std::string_view binding = kAlice) {
    body = Json{{"model", "kling-v2-6"}, {"prompt", prompt}}.dump();
    vendor_reply = R"({"code":0,"data":{"task_id":")" + task +
                   R"(","task_status":"submitted"}})";
    HttpResponse r = run("POST", "/v1/videos", "", binding);
    EXPECT_EQ(r.status, 200) << r.body;
    body.clear();
    return Json::parse(r.body)["id"];
  }

  void vendor_says(const std::string& task, const std::string& status) {
    vendor_reply = R"({"code":0,"data":{"task_id":")" + task +
                   R"(","task_status":")" + status + R"(",
        "task_result":{"videos":[{"url":"https://x.klingai.com/v.mp4"}]}}})";
  }

  Json list(const std::string& args, std::string_view binding = kAlice) {
    HttpResponse r = run("GET", "/v1/videos", args, binding);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body);
  }

  static std::vector<std::string> ids_of(const Json& page) {
    std::vector<std::string> ids;
    for (const auto& v : page["data"]) ids.push_back(v["id"]);
    return ids;
  }

  Gateway gw;
  testing::FakeStore store;
  std::unique_ptr<Operation> op;
  std::string body, vendor_reply, reply_body;
  int vendor_calls = 0;
};

TEST_F(Catalog, ListsTheCallersVideosNewestFirstWithTheirPrompts) {
  std::string a = create("first", "T1");
  std::string b = create("second", "T2");
  std::string other = create("not alice's", "T3", "Bearer bob");
  int calls = vendor_calls;
  Json page = list("");
  EXPECT_EQ(vendor_calls, calls) << "a list calls no vendor";
  EXPECT_EQ(page["object"], "list");
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{b, a}));
  EXPECT_EQ(page["first_id"], b);
  EXPECT_EQ(page["last_id"], a);
  EXPECT_EQ(page["has_more"], false);
  EXPECT_EQ(page["data"][0]["prompt"], "second");
  EXPECT_EQ(page["data"][0]["object"], "video");
  EXPECT_EQ(ids_of(list("order=asc")), (std::vector<std::string>{a, b}));
  EXPECT_EQ(ids_of(list("", "Bearer bob")), (std::vector<std::string>{other}));
  Json nobody = list("", "Bearer carol");
  EXPECT_TRUE(nobody["data"].empty());
  EXPECT_TRUE(nobody["first_id"].is_null());
  EXPECT_TRUE(nobody["last_id"].is_null());
  EXPECT_EQ(nobody["has_more"], false);
}

TEST_F(Catalog, PagesWithAfterAndLimitInBothOrders) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(create("p" + std::to_string(i), "T" + std::to_string(i)));
  }
  Json page = list("limit=2");
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(page["has_more"], true);
  page = list("limit=2&after=" + page["last_id"].get<std::string>());
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{ids[2], ids[1]}));
  EXPECT_EQ(page["has_more"], true);
  page = list("limit=2&after=" + page["last_id"].get<std::string>());
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{ids[0]}));
  EXPECT_EQ(page["has_more"], false);
  page = list("order=asc&limit=3&after=" + ids[1]);
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{ids[2], ids[3], ids[4]}));
  EXPECT_EQ(page["has_more"], false);
  EXPECT_EQ(list("limit=5")["has_more"], false);
}

TEST_F(Catalog, RefusesABadLimitOrderOrAfter) {
  create("p", "T1");
  for (const char* args :
       {"limit=0", "limit=101", "limit=x", "order=up", "after=video_nothing"}) {
    HttpResponse r = run("GET", "/v1/videos", args);
    EXPECT_EQ(r.status, 400) << args;
    EXPECT_EQ(Json::parse(r.body)["error"]["type"], "invalid_request_error");
  }
  std::string bobs = create("p", "T2", "Bearer bob");
  EXPECT_EQ(run("GET", "/v1/videos", "after=" + bobs).status, 400)
      << "another caller's id is no place to start";
}

TEST_F(Catalog, RetrieveGivesTheCreatesPromptAndKeepsTheListCurrent) {
  std::string id = create("a fox at dawn", "T1");
  vendor_says("T1", "processing");
  HttpResponse r = run("GET", "/v1/videos/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["prompt"], "a fox at dawn");
  EXPECT_EQ(list("")["data"][0]["status"], "in_progress");
  vendor_says("T1", "succeed");
  run("GET", "/v1/videos/" + id);
  Json listed = list("")["data"][0];
  EXPECT_EQ(listed["status"], "completed");
  EXPECT_EQ(listed["prompt"], "a fox at dawn");
}

TEST_F(Catalog, AnEmptyOrUnreachableStoreNeverHidesAVideo) {
  std::string id = create("p", "T1");
  store.entries.clear();
  vendor_says("T1", "processing");
  HttpResponse r = run("GET", "/v1/videos/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Json::parse(r.body)["prompt"].is_null()) << "the store lost it";
  store.reachable = false;
  r = run("GET", "/v1/videos/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(run("GET", "/v1/videos").status, 503) << "a list cannot be made";
  std::string made = create("made while the store is down", "T2");
  EXPECT_FALSE(made.empty()) << "a create does not need the catalogue";
}

TEST_F(Catalog, DeletesAFinishedVideoEverywhereAndRefusesAnUnfinishedOne) {
  std::string keep = create("keep", "T1");
  std::string id = create("drop", "T2");
  vendor_says("T2", "processing");
  HttpResponse r = run("DELETE", "/v1/videos/" + id);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "video_not_finished");

  vendor_says("T2", "succeed");
  r = run("DELETE", "/v1/videos/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body),
            (Json{{"id", id}, {"object", "video.deleted"}, {"deleted", true}}));
  EXPECT_EQ(op->facts().operation, "delete");
  int calls = vendor_calls;
  for (auto [method, path] : {std::pair{"GET", "/v1/videos/" + id},
                              std::pair{"GET", "/v1/videos/" + id + "/content"},
                              std::pair{"DELETE", "/v1/videos/" + id}}) {
    r = run(method, path);
    EXPECT_EQ(r.status, 404) << method << " " << path;
    EXPECT_EQ(Json::parse(r.body)["error"]["code"], "video_not_found");
  }
  EXPECT_EQ(vendor_calls, calls) << "a deleted video calls no vendor";
  EXPECT_EQ(ids_of(list("")), (std::vector<std::string>{keep}));
  // A page may still start after a deleted video.
  EXPECT_EQ(ids_of(list("after=" + id)), (std::vector<std::string>{keep}));
}

TEST_F(Catalog, ADeletionTheStoreCannotKeepIsA503) {
  std::string id = create("p", "T1");
  vendor_says("T1", "succeed");
  // Reads work (the retrieve) but nothing can be written: a full store.
  HttpResponse r;
  {
    std::string path = "/v1/videos/" + id;
    ClientCall call = testing::client_call("DELETE", path, "", kAlice);
    op = gw.begin(call);
    Step step = op->start(kNow);
    while (step.kind != Step::Kind::respond) {
      if (step.kind == Step::Kind::store) {
        StoreReply reply = step.store.op == StoreCommand::Op::set
                               ? StoreReply{}
                               : store.run(step.store);
        step = op->on_store(reply, kNow);
      } else {
        UpstreamReply u;
        u.status = 200;
        u.request_sent = true;
        reply_body = vendor_reply;
        u.body = reply_body;
        step = op->on_reply(u, kNow);
      }
    }
    r = step.response;
  }
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "store_unavailable");
  vendor_says("T1", "succeed");
  EXPECT_EQ(run("GET", "/v1/videos/" + id).status, 200) << "not deleted";
}

// Remix and deletion where the vendor's rules have them (an OpenAI-compatible
// upstream), beside Kling, which has neither.
class Upstream : public Catalog {
 protected:
  void SetUp() override {
    testing::add_vendor(gw, "openai", "https://relay.test",
                        {{"api_key", "sk-up"}});
    Catalog::SetUp();
  }

  // Runs a request, answering each vendor call with `answers` in turn and
  // keeping the calls.
  HttpResponse run_calls(std::string_view method, std::string_view path,
                         std::vector<std::pair<int, std::string>> answers) {
    ClientCall call = testing::client_call(method, path, body, kAlice);
    op = gw.begin(call);
    Step step = op->start(kNow);
    size_t next = 0;
    while (step.kind != Step::Kind::respond) {
      if (step.kind == Step::Kind::store) {
        step = op->on_store(store.run(step.store), kNow);
        continue;
      }
      EXPECT_EQ(step.kind, Step::Kind::call_vendor);
      if (step.kind != Step::Kind::call_vendor || next == answers.size()) {
        ADD_FAILURE() << "unexpected call " << step.call.url;
        return {};
      }
      calls.push_back(step.call);
      UpstreamReply r;
      r.status = answers[next].first;
      r.request_sent = true;
      reply_body = answers[next].second;
      ++next;
      r.body = reply_body;
      r.headers = {{"Content-Type", "application/json"}};
      step = op->on_reply(r, kNow);
    }
    return step.response;
  }

  static std::string sora(const std::string& id, const std::string& status,
                          const std::string& prompt = "p") {
    return Json{{"id", id},         {"object", "video"},  {"model", "sora-2"},
                {"status", status}, {"progress", 0},      {"created_at", kNow},
                {"prompt", prompt}, {"size", "1280x720"}, {"seconds", "8"}}
        .dump();
  }

  std::string create_sora(const std::string& task) {
    body =
        R"({"model":"sora-2","prompt":"source","seconds":"8","size":"1280x720"})";
    HttpResponse r =
        run_calls("POST", "/v1/videos", {{200, sora(task, "queued")}});
    EXPECT_EQ(r.status, 200) << r.body;
    body.clear();
    return Json::parse(r.body)["id"];
  }

  std::vector<UpstreamCall> calls;
};

TEST_F(Upstream, RemixPassesThroughAndTheNewVideoNamesItsSource) {
  std::string source = create_sora("vid_src");
  body = R"({"prompt":"now at night"})";
  calls.clear();
  HttpResponse r =
      run_calls("POST", "/v1/videos/" + source + "/remix",
                {{200, sora("vid_new", "queued", "now at night")}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_EQ(calls[0].url, "https://relay.test/v1/videos/vid_src/remix");
  EXPECT_EQ(Json::parse(calls[0].flat_body()),
            (Json{{"prompt", "now at night"}}));
  Json video = Json::parse(r.body);
  EXPECT_NE(video["id"], source);
  EXPECT_EQ(video["remixed_from_video_id"], source);
  EXPECT_EQ(video["model"], "sora-2");
  EXPECT_EQ(video["seconds"], "8");
  EXPECT_EQ(video["size"], "1280x720");
  EXPECT_EQ(video["prompt"], "now at night");
  EXPECT_EQ(op->facts().operation, "remix");

  body.clear();
  std::string remix_id = video["id"];
  r = run_calls("GET", "/v1/videos/" + remix_id,
                {{200, sora("vid_new", "in_progress", "now at night")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(calls.back().url, "https://relay.test/v1/videos/vid_new")
      << "the remix is polled as its own task";
  EXPECT_EQ(Json::parse(r.body)["remixed_from_video_id"], source);
  Json listed = list("")["data"][0];
  EXPECT_EQ(listed["id"], remix_id);
  EXPECT_EQ(listed["remixed_from_video_id"], source);
}

TEST_F(Upstream, RemixTakesAPromptAndNothingElse) {
  std::string source = create_sora("vid_src");
  for (const char* bad : {R"({"prompt":"x","model":"sora-2-pro"})",
                          R"({"prompt":"x","seconds":"4"})",
                          R"({"prompt":"x","style":"noir"})", R"({})"}) {
    body = bad;
    calls.clear();
    HttpResponse r = run_calls("POST", "/v1/videos/" + source + "/remix", {});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(calls.empty()) << bad;
  }
}

TEST_F(Upstream, ARemixOfAVendorWithoutOneIsA400NamingTheModelsThatCan) {
  std::string kling = create("a kling video", "K1");
  body = R"({"prompt":"again"})";
  int before = vendor_calls;
  HttpResponse r = run("POST", "/v1/videos/" + kling + "/remix");
  EXPECT_EQ(r.status, 400);
  Json e = Json::parse(r.body)["error"];
  EXPECT_EQ(e["code"], "unsupported_by_vendor");
  EXPECT_NE(e["message"].get<std::string>().find("'sora-2'"), std::string::npos)
      << e["message"];
  EXPECT_EQ(vendor_calls, before);
  EXPECT_EQ(run("POST", "/v1/videos/video_nothing/remix").status, 404);
}

TEST_F(Upstream, DeleteDeletesAtTheVendorFirstAndBuriesOnlyWhatItDeleted) {
  std::string id = create_sora("vid_1");
  calls.clear();
  // The upstream fails the deletion: nothing is buried.
  HttpResponse r = run_calls(
      "DELETE", "/v1/videos/" + id,
      {{200, sora("vid_1", "completed")},
       {500, R"({"error":{"message":"boom","type":"server_error"}})"}});
  EXPECT_GE(r.status, 500) << r.body;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].method, "DELETE");
  EXPECT_EQ(calls[1].url, "https://relay.test/v1/videos/vid_1");
  r = run_calls("GET", "/v1/videos/" + id, {{200, sora("vid_1", "completed")}});
  EXPECT_EQ(r.status, 200) << "not deleted";

  r = run_calls(
      "DELETE", "/v1/videos/" + id,
      {{200, sora("vid_1", "completed")},
       {200, R"({"id":"vid_1","object":"video.deleted","deleted":true})"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["deleted"], true);
  EXPECT_EQ(Json::parse(r.body)["id"], id);
  calls.clear();
  EXPECT_EQ(run_calls("GET", "/v1/videos/" + id, {}).status, 404);
  EXPECT_TRUE(calls.empty());
}

TEST(CatalogRecord, RoundTripsAndRefusesWhatItDidNotWrite) {
  CatalogRecord r{7, "in_progress", "video_src", "a prompt\nwith lines"};
  auto back = decode_catalog_record(encode_catalog_record(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->number, 7);
  EXPECT_EQ(back->status, "in_progress");
  EXPECT_EQ(back->remixed_from, "video_src");
  EXPECT_EQ(back->prompt, "a prompt\nwith lines");
  for (const char* bad : {"", "v1", "v2\n1\nqueued\n\np", "v1\nx\nqueued\n\n",
                          "v1\n-1\nqueued\n\n", "v1\n1\n\n\n"}) {
    EXPECT_FALSE(decode_catalog_record(bad)) << bad;
  }
  EXPECT_FALSE(decode_catalog_entry("video_1\nnot json"));
  EXPECT_FALSE(decode_catalog_entry("\n{}"));
  std::string encoded = encode_catalog_entry("video_1", "{}");
  auto entry = decode_catalog_entry(encoded);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->id, "video_1");
  EXPECT_NE(catalog_owner("Bearer a"), catalog_owner("Bearer b"));
  EXPECT_EQ(catalog_owner("Bearer a").find("Bearer"), std::string::npos);
}

}  // namespace
}  // namespace vgw

namespace vgw {
namespace {

// kling-v2-6 videos are not extended (Kling extends V1.0-V1.6 only) and
// Kling keeps no characters here; Kling edits every model's videos (the
// edit tests are with the extensions, below).
TEST_F(Catalog, ExtensionsAndCharactersAreA400NamingTheSourceModel) {
  std::string id = create("p", "T1");
  body = Json{{"video", {{"id", id}}}, {"prompt", "more"}}.dump();
  HttpResponse r = run("POST", "/v1/videos/extensions");
  EXPECT_EQ(r.status, 400);
  Json e = Json::parse(r.body)["error"];
  EXPECT_EQ(e["code"], "unsupported_by_vendor");
  EXPECT_NE(e["message"].get<std::string>().find("'kling-v2-6'"),
            std::string::npos)
      << e["message"];
  auto multipart = [&](const char* path) {
    ClientCall call = testing::client_call("POST", path, body, kAlice);
    call.content_type = "multipart/form-data; boundary=b";
    op = gw.begin(call);
    return op->start(kNow).response;
  };
  // A character is an upload, as multipart; no vendor here keeps one.
  r = run("POST", "/v1/videos/characters");
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "invalid_content_type");
  body = std::string("--b\r\nContent-Disposition: form-data; name=\"name\"") +
         "\r\n\r\nHero\r\n--b\r\nContent-Disposition: form-data; " +
         "name=\"video\"; filename=\"v.mp4\"\r\n\r\n" +
         std::string(
             "\0\0\0\x20"
             "ftypisom\0\0\x02\0",
             16) +
         "\r\n--b--\r\n";
  HttpResponse refused = multipart("/v1/videos/characters");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(
      refused.body.find("no vendor configured on this gateway keeps them"),
      std::string::npos)
      << refused.body;
  for (const char* call : {"/v1/videos/edits", "/v1/videos/extensions"}) {
    body = R"({"video":{"id":"video_forged"},"prompt":"x"})";
    EXPECT_EQ(run("POST", call).status, 404) << call;
    EXPECT_EQ(run("GET", call).status, 405) << call;
  }
  EXPECT_EQ(run("GET", "/v1/videos/characters").status, 405);
  // Multipart, as the SDKs send it: the id in a video[id] field.
  body = "--b\r\nContent-Disposition: form-data; name=\"video[id]\"\r\n\r\n" +
         id + "\r\n--b--\r\n";
  HttpResponse extension = multipart("/v1/videos/extensions");
  EXPECT_EQ(extension.status, 400);
  EXPECT_NE(extension.body.find("'kling-v2-6'"), std::string::npos);
  body.clear();
  HttpResponse character = run("GET", "/v1/videos/characters/char_1");
  EXPECT_EQ(character.status, 404);
  EXPECT_EQ(Json::parse(character.body)["error"]["code"],
            "character_not_found");
}

}  // namespace
}  // namespace vgw

namespace vgw {
namespace {

// Extensions read the source's status first: Kling's video id, from a
// completed source only; without it no vendor task is asked for.
TEST_F(Upstream, AnExtensionReadsItsSourceFirstAndLastsTheStitchedTotal) {
  body = R"({"model":"kling-v1-6","prompt":"road","seconds":"5"})";
  vendor_reply =
      R"({"code":0,"data":{"task_id":"K7","task_status":"submitted"}})";
  HttpResponse r = run("POST", "/v1/videos");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string source = Json::parse(r.body)["id"];
  auto kling = [](const std::string& task, const std::string& status,
                  const std::string& result) {
    return R"({"code":0,"message":"SUCCEED","data":{"task_id":")" + task +
           R"(","task_status":")" + status + R"(","task_result":)" + result +
           "}}";
  };
  body = R"({"video":{"id":")" + source +
         R"("},"prompt":"further","seconds":"4"})";

  calls.clear();
  r = run_calls("POST", "/v1/videos/extensions",
                {{200, kling("K7", "processing", "{}")}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "video_not_finished");
  ASSERT_EQ(calls.size(), 1u) << "the status query only";
  EXPECT_EQ(calls[0].url, "https://kling.test/v1/videos/text2video/K7");

  calls.clear();
  r = run_calls("POST", "/v1/videos/extensions",
                {{200, kling("K7", "failed", "{}")}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "video_failed");
  EXPECT_EQ(calls.size(), 1u);

  calls.clear();
  r = run_calls(
      "POST", "/v1/videos/extensions",
      {{200, kling("K7", "succeed",
                   R"({"videos":[{"url":"https://x.klingai.com/v.mp4"}]})")}});
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "vendor_bad_reply");
  EXPECT_EQ(calls.size(), 1u) << "no extension without the source's video id";

  calls.clear();
  r = run_calls(
      "POST", "/v1/videos/extensions",
      {{200,
        kling(
            "K7", "succeed",
            R"({"videos":[{"id":"vid-7","url":"https://x.klingai.com/v.mp4"}]})")},
       {200, kling("E1", "submitted", "{}")}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].method, "POST");
  EXPECT_EQ(calls[1].url, "https://kling.test/v1/videos/video-extend");
  EXPECT_EQ(Json::parse(calls[1].flat_body()),
            (Json{{"video_id", "vid-7"}, {"prompt", "further"}}));
  Json video = Json::parse(r.body);
  EXPECT_EQ(video["seconds"], "10");
  EXPECT_EQ(video["model"], "kling-v1-6");
  EXPECT_EQ(op->facts().operation, "extension");

  body.clear();
  calls.clear();
  std::string extended = video["id"];
  r = run_calls("GET", "/v1/videos/" + extended,
                {{200, kling("E1", "processing", "{}")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(calls[0].url, "https://kling.test/v1/videos/video-extend/E1")
      << "queried as the extension it is";
  EXPECT_EQ(Json::parse(r.body)["seconds"], "10");
}

TEST_F(Upstream, VideosOfAModelWithoutAnExtensionAreA400NamingThoseThatCan) {
  std::string v26 = create("a kling-v2-6 video", "K8");
  body = R"({"video":{"id":")" + v26 + R"("},"prompt":"more","seconds":"4"})";
  calls.clear();
  HttpResponse r = run_calls("POST", "/v1/videos/extensions", {});
  EXPECT_EQ(r.status, 400);
  Json e = Json::parse(r.body)["error"];
  EXPECT_EQ(e["code"], "unsupported_by_vendor");
  EXPECT_EQ(e["param"], "video");
  EXPECT_NE(e["message"].get<std::string>().find("'kling-v1-6'"),
            std::string::npos)
      << e["message"];
  EXPECT_TRUE(calls.empty());
}

}  // namespace
}  // namespace vgw
