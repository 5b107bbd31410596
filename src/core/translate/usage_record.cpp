#include "translate/usage_record.hpp"

#include "util/json_writer.hpp"

namespace vgw {
namespace {

// A record is kept this long against a second one for the same video.
constexpr int64_t kRecordSeconds = 90 * 86400;

}  // namespace

std::string usage_line(const RequestFacts& f) {
  if (f.usage_event.empty()) return {};
  const std::string& event = f.usage_event;
  std::string out;
  JsonWriter w(out, 512);
  w.begin_object();
  w.key("event").string(event);
  w.key("tenant").string(f.tenant);
  w.key("video_id").string(f.video_id);
  w.key("vendor").string(f.vendor);
  w.key("account").string(f.account);
  w.key("task_id").string(f.task_id);
  w.key("model").string(f.model);
  w.key("seconds").string(f.seconds);
  w.key("size").string(f.size);
  w.key("billable")
      .raw(std::string_view(event) == "completed" ? "true" : "false");
  w.key("created_at").number(f.created_at);
  w.key("completed_at");
  f.completed_at ? w.number(f.completed_at) : w.null();
  w.end_object();
  w.finish();
  return out;
}

namespace {

class UsageRecord : public OperationDecorator {
 public:
  UsageRecord(std::unique_ptr<Operation> inner, std::string tenant,
              UsagePoint point)
      : OperationDecorator(std::move(inner)),
        tenant_(std::move(tenant)),
        point_(point) {}

  Step on_store(const StoreReply& reply, int64_t now) override {
    if (!claiming_) return pass(inner_->on_store(reply, now));
    claiming_ = false;
    // Claimed by this request, or no store to ask: a duplicate is better
    // than a missing record of a finished task.
    if (!reply.ok || reply.done) due(event_);
    if (reply.ok && reply.done) facts_to_amend().first_to_see_end = true;
    return Step::respond(std::move(held_));
  }

 protected:
  void forward(Step& step) override {
    if (step.kind != Step::Kind::respond || step.response.status != 200) {
      return;
    }
    const RequestFacts& f = inner_->facts();
    if (point_ == UsagePoint::create) {
      if (f.status == "queued") due("created");
      return;
    }
    if (f.status != "completed" && f.status != "failed") return;
    event_ = f.status == "completed" ? "completed" : "failed";
    held_ = std::move(step.response);
    claiming_ = true;
    // Keyed by the vendor's task, not the video id: a task's id changes
    // with the id key, and every poll of a finished video asks, so no
    // digest of a long id is worth computing here.
    step = Step::query_store({StoreCommand::Op::set,
                              "usage:" + f.account + ":" + f.task_id, event_,
                              kRecordSeconds, true});
  }

 private:
  void due(const char* event) {
    RequestFacts& f = facts_to_amend();
    f.usage_event = event;
    f.tenant = tenant_;
  }

  std::string tenant_;
  UsagePoint point_;
  const char* event_ = "";
  bool claiming_ = false;
  HttpResponse held_;
};

}  // namespace

std::unique_ptr<Operation> with_usage_record(std::unique_ptr<Operation> inner,
                                             std::string tenant,
                                             UsagePoint point) {
  return std::make_unique<UsageRecord>(std::move(inner), std::move(tenant),
                                       point);
}

}  // namespace vgw
