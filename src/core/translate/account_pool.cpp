#include "translate/account_pool.hpp"

#include <algorithm>

namespace vgw {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class PoolCreate : public Operation {
 public:
  PoolCreate(std::vector<size_t> order, AccountAttempt attempt)
      : order_(std::move(order)), attempt_(std::move(attempt)) {}

  Step start(int64_t now) override {
    current_ = attempt_(order_[next_++]);
    return settle(current_->start(now), now);
  }
  Step on_reply(const UpstreamReply& reply, int64_t now) override {
    return settle(current_->on_reply(reply, now), now);
  }
  Step on_resolved(const ResolvedHost& host, int64_t now) override {
    return settle(current_->on_resolved(host, now), now);
  }
  Step on_store(const StoreReply& reply, int64_t now) override {
    return settle(current_->on_store(reply, now), now);
  }
  Step on_timer(int64_t now) override {
    return settle(current_->on_timer(now), now);
  }
  const RequestFacts& facts() const override {
    return held_full_ ? full_facts_ : current_->facts();
  }
  RequestFacts& facts_to_amend() override {
    return held_full_ ? full_facts_ : current_->facts_to_amend();
  }
  std::optional<std::string> redirect_target(
      std::string_view location) const override {
    return current_->redirect_target(location);
  }

 private:
  Step settle(Step step, int64_t now) {
    while (step.kind == Step::Kind::respond &&
           current_->facts().try_next_account) {
      if (current_->facts().account_full && !full_) {
        full_ = std::move(step.response);
        full_facts_ = current_->facts();
      }
      if (next_ == order_.size()) {
        if (!full_) return step;
        held_full_ = true;
        return Step::respond(std::move(*full_));
      }
      current_ = attempt_(order_[next_++]);
      step = current_->start(now);
    }
    return step;
  }

  std::vector<size_t> order_;
  AccountAttempt attempt_;
  size_t next_ = 0;
  std::unique_ptr<Operation> current_;
  std::optional<HttpResponse> full_;
  RequestFacts full_facts_;
  bool held_full_ = false;
};

}  // namespace

std::vector<size_t> pool_order(const std::vector<PoolMember>& members,
                               uint64_t random) {
  std::vector<size_t> order(members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return members[a].priority < members[b].priority;
  });
  uint64_t state = random;
  for (size_t tier = 0; tier < order.size();) {
    size_t end = tier;
    while (end < order.size() &&
           members[order[end]].priority == members[order[tier]].priority) {
      ++end;
    }
    // Weighted draws without replacement, one place at a time.
    for (size_t place = tier; place + 1 < end; ++place) {
      uint64_t total = 0;
      for (size_t i = place; i < end; ++i) total += members[order[i]].weight;
      uint64_t pick = splitmix64(state) % total;
      size_t chosen = place;
      for (size_t i = place; i < end; ++i) {
        uint64_t w = static_cast<uint64_t>(members[order[i]].weight);
        if (pick < w) {
          chosen = i;
          break;
        }
        pick -= w;
      }
      std::swap(order[place], order[chosen]);
    }
    tier = end;
  }
  return order;
}

std::unique_ptr<Operation> make_pool_create(std::vector<size_t> order,
                                            AccountAttempt attempt) {
  return std::make_unique<PoolCreate>(std::move(order), std::move(attempt));
}

}  // namespace vgw
