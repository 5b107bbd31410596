#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gateway.hpp"
#include "rules/vendor_rules.hpp"

// Vendor replies are untrusted: whatever comes back for a create, retrieve
// or content lookup must become a well-formed client response.
namespace {

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
  gw->finalize();
  return gw;
}

void check(const vgw::Step& step) {
  if (step.kind != vgw::Step::Kind::respond) return;
  auto body = vgw::Json::parse(step.response.body);  // throws if not JSON
  if (step.response.status >= 400 && !body["error"].is_object()) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vgw::Gateway* gw = make_gateway();
  if (size < 2) return 0;
  std::string model = (data[0] & 1) ? "kling-v2-6" : "sora-2";
  int status = 200 + (data[1] % 4) * 100;  // 200, 300, 400, 500
  std::string reply_body(reinterpret_cast<const char*>(data + 2), size - 2);
  std::string create = R"({"prompt":"p","model":")" + model + "\"}";
  auto op =
      gw->begin({"POST", "/v1/videos", "", "application/json", create, "t"});
  auto step = op->start(1764500000);
  if (step.kind != vgw::Step::Kind::call_vendor) __builtin_trap();
  vgw::UpstreamReply reply;
  reply.status = status;
  reply.request_sent = true;
  reply.body = reply_body;
  step = op->on_reply(reply, 1764500000);
  check(step);
  if (step.kind != vgw::Step::Kind::respond || step.response.status != 200) {
    return 0;
  }
  std::string id = vgw::Json::parse(step.response.body)["id"];
  for (const char* tail : {"", "/content"}) {
    auto path = "/v1/videos/" + id + tail;
    auto poll = gw->begin({"GET", path, "", "", "", "t"});
    auto s = poll->start(1764500000);
    if (s.kind != vgw::Step::Kind::call_vendor) continue;
    s = poll->on_reply(reply, 1764500060);
    check(s);
  }
  return 0;
}
