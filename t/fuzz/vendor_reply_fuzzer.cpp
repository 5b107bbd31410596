#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client_call.hpp"
#include "fake_store.hpp"
#include "gateway.hpp"
#include "rules/vendor_rules.hpp"

// Vendor replies are untrusted: whatever comes back for a create, retrieve
// or content lookup must become a well-formed client response.
namespace {

using vgw::testing::client_call;

vgw::Gateway* make_gateway() {
  auto* gw = new vgw::Gateway();
  const char* dir = std::getenv("VGW_VENDOR_DIR");
  std::string base = dir ? dir : VGW_VENDOR_DIR;
  vgw::VendorSettings kling;
  kling.credentials = {{"access_key", "a"}, {"secret_key", "s"}};
  gw->add_vendor(vgw::load_vendor_rules(base + "/kling.yaml"), kling);
  vgw::VendorSettings openai;
  openai.credentials = {{"api_key", "k"}};
  gw->add_vendor(vgw::load_vendor_rules(base + "/openai.yaml"), openai);
  gw->add_id_key("fuzz key 0123456789abcdef");
  gw->set_default_model("sora-2");
  gw->add_echo_parameter("fps");
  gw->add_echo_parameter("seed");
  gw->finalize();
  return gw;
}

// Responses are JSON (or a decoded inline file); errors carry a message,
// wrapped in "error" or bare in the unified dialect.
void check(const vgw::Step& step) {
  if (step.kind != vgw::Step::Kind::respond ||
      step.response.content_type != "application/json") {
    return;
  }
  auto body = vgw::Json::parse(step.response.body);  // throws if not JSON
  if (step.response.status < 400) return;
  const auto& e = body.contains("error") ? body["error"] : body;
  if (!e.is_object() || !e["message"].is_string()) __builtin_trap();
}

// Store steps (the breaker's read before a call, usage claims) answered
// as the nginx layer answers them.
vgw::Step settle(vgw::Operation& op, vgw::Step step,
                 vgw::testing::FakeStore& store) {
  while (step.kind == vgw::Step::Kind::store) {
    step = op.on_store(store.run(step.store), 1764500000);
  }
  return step;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vgw::Gateway* gw = make_gateway();
  if (size < 2) return 0;
  std::string model = (data[0] & 1) ? "kling-v2-6" : "sora-2";
  int status = 200 + (data[1] % 4) * 100;  // 200, 300, 400, 500
  std::string reply_body(reinterpret_cast<const char*>(data + 2), size - 2);
  std::string create = R"({"prompt":"p","model":")" + model + "\"}";
  vgw::testing::FakeStore store;
  auto op = gw->begin(client_call("POST", "/v1/videos", create));
  auto step = settle(*op, op->start(1764500000), store);
  if (step.kind != vgw::Step::Kind::call_vendor) __builtin_trap();
  vgw::UpstreamReply reply;
  reply.status = status;
  reply.request_sent = true;
  reply.body = reply_body;
  step = settle(*op, op->on_reply(reply, 1764500000), store);
  check(step);
  if (step.kind != vgw::Step::Kind::respond || step.response.status != 200) {
    return 0;
  }
  std::string id = vgw::Json::parse(step.response.body)["id"];
  for (const std::string& path :
       {"/v1/videos/" + id, "/v1/videos/" + id + "/content",
        "/v1/video/generations/" + id}) {
    auto poll = gw->begin(client_call("GET", path, ""));
    auto s = settle(*poll, poll->start(1764500000), store);
    if (s.kind != vgw::Step::Kind::call_vendor) continue;
    s = settle(*poll, poll->on_reply(reply, 1764500060), store);
    check(s);
  }
  return 0;
}
