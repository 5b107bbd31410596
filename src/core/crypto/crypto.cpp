#include "crypto/crypto.hpp"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
// they are what the default provider runs (SHA-NI included): a context is a
// plain struct, so an HMAC copies its keyed state on the stack instead of
// EVP_MD_CTX_copy_ex allocating and wiping a provider context twice per
// signature.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace vgw::crypto {
namespace {

[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(what);
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

constexpr size_t kTagSize = 16;

// OpenSSL 3 resolves an algorithm in its provider tables on every implicit
// use (EVP_aes_256_gcm()); fetching it once per process takes that lookup
// off every request.
const EVP_CIPHER* aes256gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

}  // namespace

std::string sha256(std::string_view data) { return sha256({data}); }

// Not OpenSSL's SHA256(): in OpenSSL 3 that fetches the algorithm from the
// provider tables on every call.
std::string sha256(std::initializer_list<std::string_view> pieces) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (std::string_view p : pieces) SHA256_Update(&ctx, p.data(), p.size());
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  return out;
}

struct Sha256::State {
  SHA256_CTX ctx;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  SHA256_Init(&state_->ctx);
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  SHA256_Update(&state_->ctx, data.data(), data.size());
}

std::string Sha256::finish() {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &state_->ctx);
  return out;
}

std::string to_hex(std::string_view raw) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).sign(data);
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    fail("RAND_bytes failed");
  }
  return out;
}

namespace {

// Appends the ciphertext and its tag to `out`.
void gcm_seal(EVP_CIPHER_CTX* ctx, std::string_view nonce, std::string_view aad,
              std::string_view plaintext, std::string& out) {
  if (nonce.size() != 12) fail("bad aes-gcm nonce");
  int len = 0;
  size_t at = out.size();
  out.resize(at + plaintext.size() + kTagSize);
  auto* o = reinterpret_cast<unsigned char*>(out.data() + at);
  auto undo = [&](const char* what) {
    out.resize(at);
    fail(what);
  };
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, bytes(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx, o, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    undo("aes-gcm encrypt failed");
  }
  int total = len;
  if (EVP_EncryptFinal_ex(ctx, o + total, &len) != 1) {
    undo("aes-gcm final failed");
  }
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, o + total) !=
      1) {
    undo("aes-gcm tag failed");
  }
  out.resize(at + static_cast<size_t>(total) + kTagSize);
}

std::optional<std::string> gcm_open(EVP_CIPHER_CTX* ctx, std::string_view nonce,
                                    std::string_view aad,
                                    std::string_view sealed) {
  if (nonce.size() != 12 || sealed.size() < kTagSize) return std::nullopt;
  auto body = sealed.substr(0, sealed.size() - kTagSize);
  unsigned char tag[kTagSize];
  std::memcpy(tag, sealed.data() + body.size(), kTagSize);
  std::string out(body.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &len, bytes(aad),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx, o, &len, bytes(body),
                        static_cast<int>(body.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1;
  int total = len;
  ok = ok && EVP_DecryptFinal_ex(ctx, o + total, &len) == 1;
  if (!ok) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(total + len));
  return out;
}

std::shared_ptr<void> keyed_cipher(std::string_view key, bool encrypt) {
  if (key.size() != 32) fail("bad aes-gcm key");
  std::shared_ptr<void> ctx(EVP_CIPHER_CTX_new(), [](void* p) {
    EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(p));
  });
  auto* c = static_cast<EVP_CIPHER_CTX*>(ctx.get());
  if (c == nullptr || EVP_CipherInit_ex(c, aes256gcm(), nullptr, bytes(key),
                                        nullptr, encrypt ? 1 : 0) != 1) {
    fail("aes-gcm key setup failed");
  }
  return ctx;
}

}  // namespace

AesGcmKey::AesGcmKey(std::string_view key)
    : encrypt_(keyed_cipher(key, true)), decrypt_(keyed_cipher(key, false)) {}

std::string AesGcmKey::seal(std::string_view nonce, std::string_view aad,
                            std::string_view plaintext) const {
  std::string out;
  seal_append(nonce, aad, plaintext, out);
  return out;
}

void AesGcmKey::seal_append(std::string_view nonce, std::string_view aad,
                            std::string_view plaintext,
                            std::string& out) const {
  gcm_seal(static_cast<EVP_CIPHER_CTX*>(encrypt_.get()), nonce, aad, plaintext,
           out);
}

std::optional<std::string> AesGcmKey::open(std::string_view nonce,
                                           std::string_view aad,
                                           std::string_view sealed) const {
  return gcm_open(static_cast<EVP_CIPHER_CTX*>(decrypt_.get()), nonce, aad,
                  sealed);
}

struct HmacSha256Key::Pads {
  SHA256_CTX inner, outer;  // after absorbing key^ipad and key^opad
};

HmacSha256Key::HmacSha256Key(std::string_view key) {
  auto pads = std::make_shared<Pads>();
  constexpr size_t kBlock = SHA256_CBLOCK;
  unsigned char k[kBlock] = {};
  std::string hashed = key.size() > kBlock ? sha256(key) : std::string();
  if (!hashed.empty()) key = hashed;
  std::copy(key.begin(), key.end(), k);
  OPENSSL_cleanse(hashed.data(), hashed.size());
  unsigned char ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  }
  SHA256_Init(&pads->inner);
  SHA256_Update(&pads->inner, ipad, kBlock);
  SHA256_Init(&pads->outer);
  SHA256_Update(&pads->outer, opad, kBlock);
  pads_ = std::move(pads);
  OPENSSL_cleanse(k, kBlock);
  OPENSSL_cleanse(ipad, kBlock);
  OPENSSL_cleanse(opad, kBlock);
}

std::string HmacSha256Key::sign(std::string_view data) const {
  return sign({data});
}

std::string HmacSha256Key::sign(
    std::initializer_list<std::string_view> pieces) const {
  unsigned char mac[kMacSize];
  sign_into(pieces, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

void HmacSha256Key::sign_into(std::initializer_list<std::string_view> pieces,
                              unsigned char (&out)[kMacSize]) const {
  static_assert(kMacSize == SHA256_DIGEST_LENGTH);
  unsigned char inner_hash[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx = pads_->inner;
  for (std::string_view p : pieces) SHA256_Update(&ctx, p.data(), p.size());
  SHA256_Final(inner_hash, &ctx);
  ctx = pads_->outer;
  SHA256_Update(&ctx, inner_hash, sizeof inner_hash);
  SHA256_Final(out, &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);  // key-derived state
  OPENSSL_cleanse(inner_hash, sizeof inner_hash);
}

std::string aes256gcm_seal(std::string_view key, std::string_view nonce,
                           std::string_view aad, std::string_view plaintext) {
  return AesGcmKey(key).seal(nonce, aad, plaintext);
}

std::optional<std::string> aes256gcm_open(std::string_view key,
                                          std::string_view nonce,
                                          std::string_view aad,
                                          std::string_view sealed) {
  if (key.size() != 32) return std::nullopt;
  return AesGcmKey(key).open(nonce, aad, sealed);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

RsaKey::RsaKey(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
          : nullptr;
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    if (key) EVP_PKEY_free(key);
    ERR_clear_error();
    throw std::invalid_argument("not a PEM RSA private key");
  }
  key_ = key;
}

RsaKey::~RsaKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

std::string RsaKey::sign_sha256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         static_cast<EVP_PKEY*>(key_)) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes(data), data.size()) != 1) {
    fail("RSA signing failed");
  }
  std::string out(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                     &len, bytes(data), data.size()) != 1) {
    fail("RSA signing failed");
  }
  out.resize(len);
  return out;
}

}  // namespace vgw::crypto
