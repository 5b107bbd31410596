#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// Thin wrappers over OpenSSL's libcrypto (already linked into nginx). Every
// failure path clears the OpenSSL error queue: a stale entry would make nginx
// log "[alert] ignoring stale global SSL error" on its next TLS operation.
namespace vgw::crypto {

std::string sha256(std::string_view data);  // 32 raw bytes
// The digest of the pieces one after another, without joining them.
std::string sha256(std::initializer_list<std::string_view> pieces);
std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces (a body whose large parts are views).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string finish();  // 32 raw bytes

 private:
  struct State;  // OpenSSL's SHA256_CTX, kept out of every includer
  std::unique_ptr<State> state_;
};
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view raw);

// Fills `n` bytes from the CSPRNG; throws on failure.
std::string random_bytes(size_t n);

// AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the
// ciphertext. `key` must be 32 bytes.
std::string aes256gcm_seal(std::string_view key, std::string_view nonce,
                           std::string_view aad, std::string_view plaintext);
std::optional<std::string> aes256gcm_open(std::string_view key,
                                          std::string_view nonce,
                                          std::string_view aad,
                                          std::string_view sealed);

bool constant_time_equals(std::string_view a, std::string_view b);

// Keys used on every request (video ids) are set up once, when the
// configuration loads: keying OpenSSL's HMAC and AES-GCM contexts costs more
// than the few hundred bytes they then process. AesGcmKey is not for
// concurrent use (nginx workers are single-threaded; copies share the
// set-up state).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  std::string sign(std::string_view data) const;  // 32 raw bytes
  // The MAC of the pieces one after another, without joining them.
  std::string sign(std::initializer_list<std::string_view> pieces) const;
  static constexpr size_t kMacSize = 32;
  void sign_into(std::initializer_list<std::string_view> pieces,
                 unsigned char (&out)[kMacSize]) const;

 private:
  // SHA-256 states that have absorbed key^ipad and key^opad (RFC 2104): a
  // signature copies them instead of keying a MAC anew.
  struct Pads;
  std::shared_ptr<const Pads> pads_;
};

class AesGcmKey {
 public:
  explicit AesGcmKey(std::string_view key);  // 32 bytes
  std::string seal(std::string_view nonce, std::string_view aad,
                   std::string_view plaintext) const;
  // Appends what seal() returns to `out`.
  void seal_append(std::string_view nonce, std::string_view aad,
                   std::string_view plaintext, std::string& out) const;
  std::optional<std::string> open(std::string_view nonce, std::string_view aad,
                                  std::string_view sealed) const;

 private:
  std::shared_ptr<void> encrypt_;  // EVP_CIPHER_CTX* with the key
  std::shared_ptr<void> decrypt_;
};

// An RSA private key loaded once from PEM (at config load) for RS256
// signatures (Google service-account JWTs).
class RsaKey {
 public:
  // Throws std::invalid_argument when the PEM is not an RSA private key.
  explicit RsaKey(std::string_view pem);
  ~RsaKey();
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;
  std::string sign_sha256(std::string_view data) const;  // PKCS#1 v1.5

 private:
  void* key_ = nullptr;  // EVP_PKEY*, kept opaque to keep OpenSSL out of
                         // every includer
};

}  // namespace vgw::crypto
