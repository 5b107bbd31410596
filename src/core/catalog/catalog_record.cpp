#include "catalog/catalog_record.hpp"

#include "crypto/crypto.hpp"
#include "ids/video_id.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr std::string_view kRecordVersion = "v1";

// The next newline-terminated field of `rest`, consumed; nullopt at the end.
std::optional<std::string_view> take_line(std::string_view& rest) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return line;
}

}  // namespace

std::string encode_catalog_record(const CatalogRecord& r) {
  std::string out;
  out.reserve(32 + r.status.size() + r.remixed_from.size() + r.prompt.size());
  out.append(kRecordVersion).append(1, '\n');
  out.append(std::to_string(r.number)).append(1, '\n');
  out.append(r.status).append(1, '\n');
  out.append(r.remixed_from).append(1, '\n');
  out.append(r.prompt);
  return out;
}

std::optional<CatalogRecord> decode_catalog_record(std::string_view value) {
  auto version = take_line(value);
  if (!version || *version != kRecordVersion) return std::nullopt;
  auto number = take_line(value);
  auto status = take_line(value);
  auto remixed_from = take_line(value);
  if (!number || !status || !remixed_from) return std::nullopt;
  auto n = parse_int(*number);
  if (!n || *n < 0 || status->empty()) return std::nullopt;
  CatalogRecord r;
  r.number = *n;
  r.status = std::string(*status);
  r.remixed_from = std::string(*remixed_from);
  r.prompt = std::string(value);  // the prompt may hold newlines: it is last
  return r;
}

// The digest ids are bound to (kept for the last caller, so a poll loop
// hashes nothing; a webhook token carries it, so a callback can name the
// catalogue too): half of it tells callers apart.
std::string catalog_owner(std::string_view binding) {
  return crypto::to_hex(
      std::string_view(VideoIdSealer::binding_digest(binding)).substr(0, 16));
}

std::string catalog_count_key(std::string_view owner) {
  return "vcount:" + std::string(owner);
}

std::string catalog_entry_key(std::string_view owner, int64_t number) {
  return "vlist:" + std::string(owner) + ":" + std::to_string(number);
}

std::string catalog_record_key(std::string_view account,
                               std::string_view task_id) {
  std::string key;
  key.reserve(6 + account.size() + task_id.size());
  key.append("vrec:").append(account).append(1, ':').append(task_id);
  return key;
}

std::string encode_catalog_entry(std::string_view id, std::string_view video) {
  std::string out;
  out.reserve(id.size() + 1 + video.size());
  out.append(id).append(1, '\n').append(video);
  return out;
}

std::optional<CatalogEntry> decode_catalog_entry(std::string_view value) {
  size_t nl = value.find('\n');
  if (nl == 0 || nl == std::string_view::npos) return std::nullopt;
  std::string_view video = value.substr(nl + 1);
  // Spliced into a list as it is: only a whole object is.
  if (video.size() < 2 || video.front() != '{' || video.back() != '}') {
    return std::nullopt;
  }
  return CatalogEntry{value.substr(0, nl), video};
}

}  // namespace vgw
