#include "catalog/catalog_lookup.hpp"

#include "catalog/catalog_record.hpp"
#include "util/json_writer.hpp"

namespace vgw {
namespace {

ApiError not_finished(std::string_view id, std::string_view status) {
  return invalid_request("Video '" + std::string(id.substr(0, 200)) + "' is " +
                             std::string(status) +
                             "; only a completed or failed video can be "
                             "deleted.",
                         std::nullopt, "video_not_finished");
}

HttpResponse deleted_answer(std::string_view id) {
  HttpResponse r;
  JsonWriter w(r.body, 64 + id.size());
  w.begin_object();
  w.key("id").string(id);
  w.key("object").string("video.deleted");
  w.key("deleted").raw("true");
  w.end_object();
  w.finish();
  return r;
}

class CatalogLookup : public OperationDecorator {
 public:
  CatalogLookup(std::unique_ptr<Operation> inner, CatalogUse use,
                CatalogTarget target, std::shared_ptr<VideoNotes> notes)
      : OperationDecorator(std::move(inner)),
        use_(use),
        target_(std::move(target)),
        notes_(std::move(notes)) {
    if (use_ == CatalogUse::remove) facts_to_amend().operation = "delete";
  }

  Step start(int64_t now) override {
    now_ = now;
    phase_ = Phase::reading;
    return Step::query_store(
        {StoreCommand::Op::get, target_.record_key, {}, 0, false});
  }

  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    now_ = now;
    if (phase_ == Phase::deleting) {
      return after_deletion(target_.vendor_delete->on_reply(reply, now));
    }
    return OperationDecorator::on_reply(reply, now);
  }
  Step on_resolved(const ResolvedHost& host, int64_t now) override {
    now_ = now;
    if (phase_ == Phase::deleting) {
      return after_deletion(target_.vendor_delete->on_resolved(host, now));
    }
    return OperationDecorator::on_resolved(host, now);
  }
  Step on_timer(int64_t now) override {
    now_ = now;
    if (phase_ == Phase::deleting) {
      return after_deletion(target_.vendor_delete->on_timer(now));
    }
    return OperationDecorator::on_timer(now);
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    now_ = now;
    switch (phase_) {
      case Phase::deleting:
        return after_deletion(target_.vendor_delete->on_store(reply, now));
      case Phase::idle:
        return pass(inner_->on_store(reply, now));
      case Phase::reading:
        phase_ = Phase::idle;
        if (reply.ok && reply.value)
          record_ = decode_catalog_record(*reply.value);
        if (record_ && record_->deleted()) {
          phase_ = Phase::answered;
          return answer(video_not_found(target_.video_id));
        }
        if (record_ && notes_) {
          notes_->prompt = record_->prompt;
          if (!record_->remixed_from.empty()) {
            notes_->remixed_from = record_->remixed_from;
          }
        }
        return pass(inner_->start(now));
      case Phase::listing:
        phase_ = Phase::recording;
        return write_record();
      case Phase::burying:
        if (!reply.ok || !reply.done) {
          phase_ = Phase::answered;
          return answer(store_unavailable("the deletion cannot be recorded"));
        }
        if (record_ && record_->number > 0) {
          phase_ = Phase::unlisting;
          return Step::query_store({StoreCommand::Op::del,
                                    catalog_entry_key(owner(), record_->number),
                                    {},
                                    0,
                                    false});
        }
        [[fallthrough]];
      case Phase::unlisting:
        phase_ = Phase::answered;
        return answer(deleted_answer(target_.video_id), "ok");
      case Phase::recording:
        phase_ = Phase::answered;
        return Step::respond(std::move(held_));
      case Phase::answered:
        break;
    }
    return answer(internal_error("Unexpected store reply."));
  }

 protected:
  void forward(Step& step) override {
    if (phase_ != Phase::idle || step.kind != Step::Kind::respond) return;
    if (use_ == CatalogUse::remove) return remove(step);
    if (use_ != CatalogUse::retrieve || step.response.status != 200 ||
        !record_) {
      return;
    }
    const std::string& status = inner_->facts().status;
    if (status.empty() || status == record_->status) return;
    record_->status = status;
    held_ = std::move(step.response);
    if (record_->number > 0) {
      phase_ = Phase::listing;
      step = Step::query_store(
          {StoreCommand::Op::set, catalog_entry_key(owner(), record_->number),
           encode_catalog_entry(target_.video_id, held_.body), kCatalogSeconds,
           false, true});
    } else {
      phase_ = Phase::recording;
      step = write_record();
    }
  }

 private:
  enum class Phase {
    idle,
    reading,
    deleting,
    listing,
    recording,
    burying,
    unlisting,
    answered
  };

  void remove(Step& step) {
    if (step.response.status != 200) return;
    const std::string& status = inner_->facts().status;
    if (status != "completed" && status != "failed") {
      phase_ = Phase::answered;
      step = answer(not_finished(target_.video_id, status));
      return;
    }
    if (target_.vendor_delete) {
      phase_ = Phase::deleting;
      step = after_deletion(target_.vendor_delete->start(now_));
      return;
    }
    step = bury();
  }

  Step after_deletion(Step step) {
    if (step.kind != Step::Kind::respond) return step;
    if (step.response.status == 200) return bury();
    phase_ = Phase::answered;
    return answer(std::move(step.response),
                  target_.vendor_delete->facts().outcome);
  }

  Step bury() {
    CatalogRecord tombstone;
    if (record_) tombstone.number = record_->number;
    tombstone.status = "deleted";
    phase_ = Phase::burying;
    return Step::query_store({StoreCommand::Op::set, target_.record_key,
                              encode_catalog_record(tombstone),
                              kTombstoneSeconds, false});
  }

  Step write_record() {
    return Step::query_store({StoreCommand::Op::set, target_.record_key,
                              encode_catalog_record(*record_), kCatalogSeconds,
                              false, true});
  }

  const std::string& owner() {
    if (owner_.empty()) owner_ = catalog_owner(target_.binding);
    return owner_;
  }

  CatalogUse use_;
  CatalogTarget target_;
  std::shared_ptr<VideoNotes> notes_;
  std::optional<CatalogRecord> record_;
  std::string owner_;
  Phase phase_ = Phase::idle;
  int64_t now_ = 0;
  HttpResponse held_;
};

}  // namespace

std::unique_ptr<Operation> with_catalog_lookup(
    std::unique_ptr<Operation> inner, CatalogUse use, CatalogTarget target,
    std::shared_ptr<VideoNotes> notes) {
  return std::make_unique<CatalogLookup>(std::move(inner), use,
                                         std::move(target), std::move(notes));
}

}  // namespace vgw
