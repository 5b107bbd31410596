#include "store/store_snapshot.hpp"

#include "crypto/crypto.hpp"

namespace vgw {
namespace {

constexpr std::string_view kMagic = "vgw-store-snapshot 1\n";
constexpr std::string_view kTrailer = "end\n";
constexpr size_t kDigestSize = 32;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  bool take(size_t n, std::string_view& out) {
    if (bytes_.size() - at_ < n) return false;
    out = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool u32(uint32_t& v) {
    std::string_view b;
    if (!take(4, b)) return false;
    v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return true;
  }
  bool u64(uint64_t& v) {
    std::string_view b;
    if (!take(8, b)) return false;
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return true;
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

}  // namespace

SnapshotWriter::SnapshotWriter() { out_.append(kMagic); }

// Each entry is tagged: 'k' an entry, 'c' a copy the store may evict.
void SnapshotWriter::add(std::string_view key, std::string_view value,
                         int64_t expires_at_ms, bool evictable) {
  out_.push_back(evictable ? 'c' : 'k');
  put_u32(out_, static_cast<uint32_t>(key.size()));
  put_u32(out_, static_cast<uint32_t>(value.size()));
  put_u64(out_, static_cast<uint64_t>(expires_at_ms));
  out_.append(key).append(value);
  ++count_;
}

std::string SnapshotWriter::finish() {
  out_.append(kTrailer);
  put_u64(out_, count_);
  out_.append(crypto::sha256(out_));
  return std::move(out_);
}

std::optional<std::vector<SnapshotEntry>> read_snapshot(std::string_view file) {
  if (file.size() < kMagic.size() + kTrailer.size() + 8 + kDigestSize ||
      file.substr(0, kMagic.size()) != kMagic) {
    return std::nullopt;
  }
  std::string_view body = file.substr(0, file.size() - kDigestSize);
  if (crypto::sha256(body) != file.substr(body.size())) return std::nullopt;
  Cursor in(body.substr(kMagic.size()));
  std::vector<SnapshotEntry> entries;
  for (;;) {
    std::string_view tag;
    if (!in.take(1, tag)) return std::nullopt;
    if (tag[0] == kTrailer[0]) break;
    if (tag[0] != 'k' && tag[0] != 'c') return std::nullopt;
    uint32_t key_len = 0, value_len = 0;
    uint64_t expires = 0;
    std::string_view key, value;
    if (!in.u32(key_len) || !in.u32(value_len) || !in.u64(expires) ||
        key_len == 0 || key_len > kSnapshotMaxKey ||
        value_len > kSnapshotMaxValue || !in.take(key_len, key) ||
        !in.take(value_len, value)) {
      return std::nullopt;
    }
    entries.push_back({std::string(key), std::string(value),
                       static_cast<int64_t>(expires), tag[0] == 'c'});
  }
  std::string_view rest;
  uint64_t count = 0;
  if (!in.take(kTrailer.size() - 1, rest) || rest != kTrailer.substr(1) ||
      !in.u64(count) || !in.at_end() || count != entries.size()) {
    return std::nullopt;
  }
  return entries;
}

}  // namespace vgw
