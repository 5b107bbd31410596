#include "webhooks/webhook_event.hpp"

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

std::optional<std::string> secret_key(const std::string& secret) {
  if (!starts_with(secret, kSecretPrefix)) return std::nullopt;
  auto key =
      base64_decode(std::string_view(secret).substr(kSecretPrefix.size()));
  if (!key || key->size() < 16) return std::nullopt;
  return key;
}

}  // namespace

bool valid_webhook_secret(const std::string& secret) {
  return secret_key(secret).has_value();
}

UpstreamCall webhook_delivery(const std::string& url, const std::string& secret,
                              const std::string& type,
                              const std::string& video_id, int64_t now) {
  std::string event_id = "evt_" + crypto::to_hex(crypto::random_bytes(12));
  nlohmann::ordered_json event = {{"id", event_id},
                                  {"object", "event"},
                                  {"created_at", now},
                                  {"type", type},
                                  {"data", {{"id", video_id}}}};
  UpstreamCall call;
  call.method = "POST";
  call.url = url;
  call.body = event.dump();
  std::string timestamp = std::to_string(now);
  std::string signature = base64_encode(
      crypto::hmac_sha256(secret_key(secret).value_or(std::string()),
                          event_id + "." + timestamp + "." + call.body));
  call.headers = {{"Content-Type", "application/json"},
                  {"Accept-Encoding", "identity"},
                  {"User-Agent", "vgw-webhooks/1"},
                  {"webhook-id", event_id},
                  {"webhook-timestamp", timestamp},
                  {"webhook-signature", "v1," + signature}};
  return call;
}

}  // namespace vgw
