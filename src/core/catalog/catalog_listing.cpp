#include "catalog/catalog_listing.hpp"

#include "catalog/catalog_record.hpp"

namespace vgw {
namespace {

class CatalogListing : public OperationDecorator {
 public:
  CatalogListing(std::unique_ptr<Operation> create, std::string owner,
                 std::string prompt, std::string remixed_from)
      : OperationDecorator(std::move(create)), owner_(std::move(owner)) {
    record_.prompt = std::move(prompt);
    record_.remixed_from = std::move(remixed_from);
  }

  Step on_store(const StoreReply& reply, int64_t now) override {
    switch (phase_) {
      case Phase::idle:
        return pass(inner_->on_store(reply, now));
      case Phase::numbering: {
        auto number = store_number(reply);
        if (!number) return done();
        record_.number = *number;
        phase_ = Phase::listing;
        return Step::query_store(
            {StoreCommand::Op::set, catalog_entry_key(owner_, *number),
             encode_catalog_entry(inner_->facts().video_id, held_.body),
             kCatalogSeconds, false, true});
      }
      case Phase::listing:
        // Unlisted, the record still carries the prompt.
        if (!reply.ok) record_.number = 0;
        phase_ = Phase::recording;
        return Step::query_store({StoreCommand::Op::set,
                                  catalog_record_key(inner_->facts().account,
                                                     inner_->facts().task_id),
                                  encode_catalog_record(record_),
                                  kCatalogSeconds, false, true});
      case Phase::recording:
      case Phase::answered:
        break;
    }
    return done();
  }

 protected:
  void forward(Step& step) override {
    if (phase_ != Phase::idle || step.kind != Step::Kind::respond ||
        step.response.status != 200) {
      return;
    }
    const RequestFacts& f = inner_->facts();
    if (f.video_id.empty() || f.task_id.empty()) return;
    record_.status = f.status.empty() ? "queued" : f.status;
    held_ = std::move(step.response);
    phase_ = Phase::numbering;
    step = Step::query_store(
        {StoreCommand::Op::incr, catalog_count_key(owner_), "1", 0, false});
  }

 private:
  enum class Phase { idle, numbering, listing, recording, answered };

  Step done() {
    phase_ = Phase::answered;
    return Step::respond(std::move(held_));
  }

  std::string owner_;
  CatalogRecord record_;
  Phase phase_ = Phase::idle;
  HttpResponse held_;
};

}  // namespace

std::unique_ptr<Operation> with_catalog_listing(
    std::unique_ptr<Operation> create, std::string owner, std::string prompt,
    std::string remixed_from) {
  return std::make_unique<CatalogListing>(std::move(create), std::move(owner),
                                          std::move(prompt),
                                          std::move(remixed_from));
}

}  // namespace vgw
