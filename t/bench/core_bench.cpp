// Per-request cost of the pure core, without nginx or sockets: what the
// module adds to a proxied request in CPU. Run by `./build.sh bench` after
// the wrk runs; instruction-stable enough to compare before/after a change.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "client_call.hpp"
#include "crypto/crypto.hpp"
#include "gateway.hpp"
#include "rules/vendor_rules.hpp"

namespace vgw {
namespace {

// This shared VM's speed swings by half from one second to the next; noise
// only ever adds time, so the fastest of the repetitions is reported beside
// their median (`./build.sh bench` runs nine).
double fastest(const std::vector<double>& runs) {
  return runs.empty() ? 0 : *std::min_element(runs.begin(), runs.end());
}

// The embedded store as a vendor in good health finds it: the breaker's
// read before a vendor call finds nothing (as the nginx layer answers it,
// from the shared-memory zone).
void through_store(Operation& op, Step& step, int64_t now) {
  while (step.kind == Step::Kind::store) {
    StoreReply nothing;
    nothing.ok = true;
    step = op.on_store(nothing, now);
  }
}

Step start(Operation& op, int64_t now) {
  Step step = op.start(now);
  through_store(op, step, now);
  return step;
}

Step reply_to(Operation& op, const UpstreamReply& reply, int64_t now) {
  Step step = op.on_reply(reply, now);
  through_store(op, step, now);
  return step;
}

Gateway& gateway() {
  static Gateway* gw = [] {
    auto* g = new Gateway();
    VendorSettings kling;
    kling.base_url = "http://127.0.0.1:9";
    kling.credentials = {{"access_key", "ak"}, {"secret_key", "sk"}};
    g->add_vendor(load_vendor_rules(VGW_VENDOR_DIR "/kling.yaml"), kling);
    g->add_id_key("bench-id-key-0123456789abcdef");
    g->set_default_model("sora-2");
    g->add_echo_parameter("fps");
    g->add_echo_parameter("seed");
    g->finalize();
    return g;
  }();
  return *gw;
}

const std::string kCreate =
    R"({"model":"kling-v2-6","prompt":"A red panda surfing a wave at sunset, cinematic","seconds":"5","size":"1280x720"})";
const std::string kCreated =
    R"({"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"8123456789","task_status":"submitted","created_at":1764500000000,"updated_at":1764500000000}})";
const std::string kStatus =
    R"({"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"8123456789","task_status":"processing","created_at":1764500000000,"updated_at":1764500000000}})";

void BM_JsonCreate(benchmark::State& state) {
  UpstreamReply reply;
  reply.status = 200;
  reply.request_sent = true;
  reply.body = kCreated;
  for (auto _ : state) {
    auto op =
        gateway().begin(testing::client_call("POST", "/v1/videos", kCreate));
    auto step = start(*op, 1764500000);
    benchmark::DoNotOptimize(step);
    step = reply_to(*op, reply, 1764500000);
    benchmark::DoNotOptimize(step);
  }
}
BENCHMARK(BM_JsonCreate)->ComputeStatistics("min", fastest);

void BM_Retrieve(benchmark::State& state) {
  UpstreamReply created;
  created.status = 200;
  created.body = kCreated;
  auto op =
      gateway().begin(testing::client_call("POST", "/v1/videos", kCreate));
  start(*op, 1764500000);
  std::string id =
      Json::parse(reply_to(*op, created, 1764500000).response.body)["id"];
  std::string path = "/v1/videos/" + id;
  UpstreamReply reply;
  reply.status = 200;
  reply.body = kStatus;
  for (auto _ : state) {
    auto get = gateway().begin(testing::client_call("GET", path));
    auto step = start(*get, 1764500000);
    benchmark::DoNotOptimize(step);
    step = reply_to(*get, reply, 1764500030);
    benchmark::DoNotOptimize(step);
  }
}
BENCHMARK(BM_Retrieve)->ComputeStatistics("min", fastest);

void BM_SealId(benchmark::State& state) {
  VideoIdSealer sealer({"bench-id-key-0123456789abcdef"});
  VideoRecord r;
  r.vendor = "kling";
  r.task_id = "8123456789";
  r.kind = "text2video";
  r.model = "kling-v2-6";
  r.seconds = "5";
  r.size = "1280x720";
  r.created_at = 1764500000;
  for (auto _ : state) benchmark::DoNotOptimize(sealer.seal(r, "Bearer bench"));
}
BENCHMARK(BM_SealId)->ComputeStatistics("min", fastest);

void BM_HmacSha256(benchmark::State& state) {
  std::string data(200, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::hmac_sha256("key-key-key", data));
  }
}
BENCHMARK(BM_HmacSha256)->ComputeStatistics("min", fastest);

}  // namespace
}  // namespace vgw

// `core_bench --repeat=N create|retrieve` runs one request N times outside
// Google Benchmark, for instruction counts under callgrind (which noise does
// not change): valgrind --tool=callgrind --toggle-collect='*run_requests*'.
namespace vgw {
namespace {

__attribute__((noinline)) void run_requests(const std::string& what, int n) {
  UpstreamReply created;
  created.status = 200;
  created.request_sent = true;
  created.body = kCreated;
  UpstreamReply status;
  status.status = 200;
  status.body = kStatus;
  std::string path;
  if (what == "retrieve") {
    auto op =
        gateway().begin(testing::client_call("POST", "/v1/videos", kCreate));
    start(*op, 1764500000);
    path = "/v1/videos/" +
           Json::parse(reply_to(*op, created, 1764500000).response.body)["id"]
               .get<std::string>();
  }
  for (int i = 0; i < n; ++i) {
    if (what == "create") {
      auto op =
          gateway().begin(testing::client_call("POST", "/v1/videos", kCreate));
      benchmark::DoNotOptimize(start(*op, 1764500000));
      benchmark::DoNotOptimize(reply_to(*op, created, 1764500000));
    } else {
      auto op = gateway().begin(testing::client_call("GET", path));
      benchmark::DoNotOptimize(start(*op, 1764500000));
      benchmark::DoNotOptimize(reply_to(*op, status, 1764500030));
    }
  }
}

}  // namespace
}  // namespace vgw

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]).rfind("--repeat=", 0) == 0) {
    vgw::gateway();  // configuration load, outside what is counted
    vgw::run_requests(argv[2], std::stoi(std::string(argv[1]).substr(9)));
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
