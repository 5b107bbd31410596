#include "catalog/list_videos.hpp"

#include <vector>

#include "catalog/catalog_record.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

// Deleted and expired entries leave holes; a page reads at most this many
// beyond what it answers, so a list never turns into an unbounded scan.
constexpr int64_t kMaxHoles = 1000;

class ListVideos : public Operation {
 public:
  ListVideos(ListQuery query, std::string owner, std::string after_record_key)
      : query_(std::move(query)),
        owner_(std::move(owner)),
        after_key_(std::move(after_record_key)) {
    facts_.operation = "list";
  }

  Step start(int64_t) override {
    phase_ = Phase::counting;
    return Step::query_store(
        {StoreCommand::Op::get, catalog_count_key(owner_), {}, 0, false});
  }

  Step on_reply(const UpstreamReply&, int64_t) override {
    return finish(internal_error("Unexpected vendor reply."));
  }

  Step on_store(const StoreReply& reply, int64_t) override {
    switch (phase_) {
      case Phase::counting: {
        if (!reply.ok) return finish(store_unavailable());
        count_ = reply.value ? parse_int(*reply.value).value_or(0) : 0;
        if (after_key_.empty()) {
          next_ = query_.ascending ? 1 : count_;
          return read_next();
        }
        phase_ = Phase::locating;
        return Step::query_store(
            {StoreCommand::Op::get, after_key_, {}, 0, false});
      }
      case Phase::locating: {
        if (!reply.ok) return finish(store_unavailable());
        std::optional<CatalogRecord> after;
        if (reply.value) after = decode_catalog_record(*reply.value);
        // A video the catalogue lost (or never listed) has no place to
        // continue from: the page is empty, which ends the SDK's paging.
        if (!after || after->number <= 0) return respond();
        next_ = query_.ascending ? after->number + 1 : after->number - 1;
        return read_next();
      }
      case Phase::reading:
        if (!reply.ok) return finish(store_unavailable());
        if (reply.value) {
          if (decode_catalog_entry(*reply.value)) {
            entries_.push_back(*reply.value);
          } else {
            ++holes_;
          }
        } else {
          ++holes_;
        }
        return read_next();
    }
    return finish(internal_error("Unexpected store reply."));
  }

 private:
  enum class Phase { counting, locating, reading };

  static ApiError store_unavailable() {
    return vgw::store_unavailable("videos cannot be listed");
  }

  Step read_next() {
    // One entry past the page says whether there is more.
    bool in_range = next_ >= 1 && next_ <= count_;
    if (!in_range || entries_.size() > static_cast<size_t>(query_.limit) ||
        holes_ > kMaxHoles) {
      return respond();
    }
    phase_ = Phase::reading;
    int64_t number = next_;
    next_ += query_.ascending ? 1 : -1;
    return Step::query_store({StoreCommand::Op::get,
                              catalog_entry_key(owner_, number),
                              {},
                              0,
                              false});
  }

  Step respond() {
    bool has_more = entries_.size() > static_cast<size_t>(query_.limit) ||
                    (holes_ > kMaxHoles && !entries_.empty());
    if (entries_.size() > static_cast<size_t>(query_.limit)) {
      entries_.resize(query_.limit);
    }
    std::string data = "[";
    size_t size = 2;
    for (const auto& e : entries_) size += e.size() + 1;
    data.reserve(size);
    std::string_view first, last;
    for (size_t i = 0; i < entries_.size(); ++i) {
      auto entry = decode_catalog_entry(entries_[i]);
      if (i > 0) data.append(1, ',');
      data.append(entry->video);
      if (i == 0) first = entry->id;
      last = entry->id;
    }
    data.append(1, ']');
    HttpResponse r;
    JsonWriter w(r.body, data.size() + first.size() + last.size() + 96);
    w.begin_object();
    w.key("object").string("list");
    w.key("data").raw(data);
    w.key("first_id");
    entries_.empty() ? w.null() : w.string(first);
    w.key("last_id");
    entries_.empty() ? w.null() : w.string(last);
    w.key("has_more").raw(has_more ? "true" : "false");
    w.end_object();
    w.finish();
    return finish(std::move(r));
  }

  ListQuery query_;
  std::string owner_;
  std::string after_key_;
  Phase phase_ = Phase::counting;
  int64_t count_ = 0;
  int64_t next_ = 0;
  int64_t holes_ = 0;
  std::vector<std::string> entries_;
};

}  // namespace

std::optional<ApiError> parse_list_query(std::string_view args,
                                         ListQuery& query) {
  if (auto limit = query_arg(args, "limit")) {
    auto n = parse_int(*limit);
    if (!n || *n < 1 || *n > 100) {
      return invalid_request("Invalid value for 'limit': '" +
                                 limit->substr(0, 20) +
                                 "'. It must be an integer from 1 to 100.",
                             std::string("limit"), "invalid_value");
    }
    query.limit = static_cast<int>(*n);
  }
  if (auto order = query_arg(args, "order")) {
    if (*order != "asc" && *order != "desc") {
      return invalid_request("Invalid value for 'order': '" +
                                 order->substr(0, 20) +
                                 "'. Supported values are: 'asc' and 'desc'.",
                             std::string("order"), "invalid_value");
    }
    query.ascending = *order == "asc";
  }
  query.after = query_arg(args, "after").value_or("");
  return std::nullopt;
}

std::unique_ptr<Operation> make_list_operation(ListQuery query,
                                               std::string owner,
                                               std::string after_record_key) {
  return std::make_unique<ListVideos>(std::move(query), std::move(owner),
                                      std::move(after_record_key));
}

}  // namespace vgw
