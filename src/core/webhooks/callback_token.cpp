#include "webhooks/callback_token.hpp"

#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr std::string_view kIdPrefix = "video_";
constexpr std::string_view kTokenPrefix = "cb_";
constexpr const char* kUrlKey = "cb.url";
constexpr const char* kBindingKey = "cb.binding";
constexpr const char* kTenantKey = "cb.tenant";

// Tokens are sealed for a fixed identity: a video id can never be replayed
// as a callback token, nor the other way round.
const std::string& token_digest() {
  static const std::string digest =
      VideoIdSealer::binding_digest("vgw callback token");
  return digest;
}

}  // namespace

std::string seal_callback_token(const VideoIdSealer& sealer, VideoRecord record,
                                const CallbackTarget& target) {
  record.task_id.clear();
  if (!target.tenant.empty()) {
    record.carried.emplace_back(kTenantKey, target.tenant);
  }
  record.carried.emplace_back(kUrlKey, target.url);
  record.carried.emplace_back(kBindingKey, target.binding_digest);
  std::string id = sealer.seal_for_digest(record, token_digest());
  return std::string(kTokenPrefix) + id.substr(kIdPrefix.size());
}

std::optional<OpenedCallback> open_callback_token(const VideoIdSealer& sealer,
                                                  std::string_view token) {
  if (!starts_with(token, kTokenPrefix)) return std::nullopt;
  auto record = sealer.open_for_digest(
      std::string(kIdPrefix) + std::string(token.substr(kTokenPrefix.size())),
      token_digest());
  if (!record || record->carried.size() < 2) return std::nullopt;
  OpenedCallback out;
  auto binding = record->carried.back();
  record->carried.pop_back();
  auto url = record->carried.back();
  record->carried.pop_back();
  if (url.first != kUrlKey || binding.first != kBindingKey) return std::nullopt;
  out.target.url = url.second;
  out.target.binding_digest = binding.second;
  if (!record->carried.empty() && record->carried.back().first == kTenantKey) {
    out.target.tenant = std::move(record->carried.back().second);
    record->carried.pop_back();
  }
  out.record = std::move(*record);
  return out;
}

}  // namespace vgw
