#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vgw {

// The store's catalogue of videos: what a sealed id cannot carry (the
// create's prompt, each caller's list, deletions). The id stays the truth:
// a video the catalogue lost is still served, with a null prompt, and only
// a tombstone hides one.
//
// "vcount:{owner}" numbers an owner's videos; "vlist:{owner}:{n}" holds the
// nth one's id and the last Video the gateway answered for it;
// "vrec:{account}:{task}" holds its number, last status, remix source and
// prompt, or its tombstone.
constexpr int64_t kCatalogSeconds = 90 * 86400;
// A deleted id answers 404 this long; the id itself never expires.
constexpr int64_t kTombstoneSeconds = 400 * 86400;

struct CatalogRecord {
  int64_t number = 0;  // in the owner's list; 0: not listed
  std::string status;  // queued, in_progress, completed, failed or deleted
  std::string remixed_from;  // the source video's id; empty: none
  std::string prompt;
  bool deleted() const { return status == "deleted"; }
};

std::string encode_catalog_record(const CatalogRecord& record);
std::optional<CatalogRecord> decode_catalog_record(std::string_view value);

// The owner of a list is the identity ids are bound to, hashed: a binding
// may be a client's raw Authorization header, which the store never holds.
std::string catalog_owner(std::string_view binding);
std::string catalog_count_key(std::string_view owner);
std::string catalog_entry_key(std::string_view owner, int64_t number);
std::string catalog_record_key(std::string_view account,
                               std::string_view task_id);

struct CatalogEntry {
  std::string_view id;
  std::string_view video;  // the Video object's JSON text
};
std::string encode_catalog_entry(std::string_view id, std::string_view video);
std::optional<CatalogEntry> decode_catalog_entry(std::string_view value);

}  // namespace vgw
