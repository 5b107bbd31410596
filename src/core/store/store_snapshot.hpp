#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vgw {

// The embedded store written to a file (vgw_store_file) when nginx stops or
// reloads, and read back when it starts, so that Idempotency-Key records,
// limits, breakers, task slots and usage claims survive a restart. Expiry
// times are wall-clock (Unix milliseconds; 0: never), since the zone's own
// clock restarts with the machine. The file ends with the entry count and
// a SHA-256 of everything before it: a damaged or foreign file is refused
// whole, never half read.
struct SnapshotEntry {
  std::string key;
  std::string value;
  int64_t expires_at_ms = 0;
  bool evictable = false;  // StoreCommand::evictable
};

class SnapshotWriter {
 public:
  SnapshotWriter();
  void add(std::string_view key, std::string_view value, int64_t expires_at_ms,
           bool evictable = false);
  // The file's bytes; the writer is spent.
  std::string finish();

 private:
  std::string out_;
  uint64_t count_ = 0;
};

// Entries larger than these are refused, as the store never holds them.
inline constexpr size_t kSnapshotMaxKey = 64 * 1024;
inline constexpr size_t kSnapshotMaxValue = 16 * 1024 * 1024;

std::optional<std::vector<SnapshotEntry>> read_snapshot(std::string_view file);

}  // namespace vgw
