#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/crypto.hpp"

namespace vgw {

// Everything later calls need about a vendor task. It travels inside the
// client-visible id, so the gateway keeps no state and any instance sharing
// the key can serve any id, across reloads and restarts.
// Carried entries with this prefix are client values echoed back in the
// Video's `metadata` (fps, seed), stored as JSON text.
inline constexpr const char* kEchoPrefix = "echo.";

struct VideoRecord {
  std::string vendor;
  std::string task_id;
  std::string kind;   // create kind (e.g. text2video); picks the query path
  std::string model;  // client-facing model name
  std::string seconds;
  std::string size;
  int64_t created_at = 0;  // unix seconds
  std::vector<std::pair<std::string, std::string>> carried;

  bool operator==(const VideoRecord& o) const;
};

// What a sealed id names: a video (`video_...`) or a character
// (`char_...`, a vendor's reusable subject). Each kind is its own
// authenticated label, so one never opens as the other.
enum class SealedKind { video, character };

// Seals records with AES-256-GCM. The caller's identity is authenticated
// data, so an id only opens for the tenant that created it; a tampered,
// foreign or random id simply fails to open. Several secrets may be
// configured: the first seals, all of them open (key rotation).
class VideoIdSealer {
 public:
  VideoIdSealer() = default;
  explicit VideoIdSealer(const std::vector<std::string>& secrets);

  bool configured() const { return !keys_.empty(); }
  std::string seal(const VideoRecord& record, std::string_view binding,
                   SealedKind kind = SealedKind::video) const;
  std::optional<VideoRecord> open(std::string_view id, std::string_view binding,
                                  SealedKind kind = SealedKind::video) const;

  // Ids are bound to a digest of the caller's identity, so a webhook token
  // can carry the digest (never the client's credential) and the gateway
  // can later seal the same id on the client's behalf.
  static std::string binding_digest(std::string_view binding);
  std::string seal_for_digest(const VideoRecord& record,
                              std::string_view digest,
                              SealedKind kind = SealedKind::video) const;
  std::optional<VideoRecord> open_for_digest(
      std::string_view id, std::string_view digest,
      SealedKind kind = SealedKind::video) const;

 private:
  struct Key {
    crypto::AesGcmKey aes;
    crypto::HmacSha256Key nonce;  // derives the deterministic nonce
    unsigned char tag = 0;
  };
  std::vector<Key> keys_;
};

}  // namespace vgw
