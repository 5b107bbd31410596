#include "ids/video_id.hpp"

#include <cstring>
#include <stdexcept>

#include "crypto/crypto.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr unsigned char kFormatVersion = 2;
std::string_view prefix(SealedKind kind) {
  return kind == SealedKind::video ? "video_" : "char_";
}
constexpr size_t kNonceSize = 12;
constexpr size_t kMaxIdLength = 4096;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  std::optional<uint64_t> varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return std::nullopt;
      auto b = static_cast<unsigned char>(data_[pos_++]);
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return std::nullopt;
  }

  std::optional<std::string> string() {
    auto n = varint();
    if (!n || *n > data_.size() - pos_) return std::nullopt;
    std::string s(data_.substr(pos_, *n));
    pos_ += *n;
    return s;
  }

  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

std::string serialize(const VideoRecord& r) {
  std::string out;
  size_t size = 16 + r.vendor.size() + r.task_id.size() + r.kind.size() +
                r.model.size() + r.seconds.size() + r.size.size();
  for (const auto& [k, v] : r.carried) size += 4 + k.size() + v.size();
  out.reserve(size);
  put_varint(out, static_cast<uint64_t>(r.created_at));
  put_string(out, r.vendor);
  put_string(out, r.task_id);
  put_string(out, r.kind);
  put_string(out, r.model);
  put_string(out, r.seconds);
  put_string(out, r.size);
  put_varint(out, r.carried.size());
  for (const auto& [k, v] : r.carried) {
    put_string(out, k);
    put_string(out, v);
  }
  return out;
}

std::optional<VideoRecord> deserialize(std::string_view data) {
  Reader in(data);
  VideoRecord r;
  auto created = in.varint();
  auto vendor = in.string();
  auto task = in.string();
  auto kind = in.string();
  auto model = in.string();
  auto seconds = in.string();
  auto size = in.string();
  auto n = in.varint();
  if (!created || !vendor || !task || !kind || !model || !seconds || !size ||
      !n || *n > 64) {
    return std::nullopt;
  }
  r.created_at = static_cast<int64_t>(*created);
  r.vendor = std::move(*vendor);
  r.task_id = std::move(*task);
  r.kind = std::move(*kind);
  r.model = std::move(*model);
  r.seconds = std::move(*seconds);
  r.size = std::move(*size);
  for (uint64_t i = 0; i < *n; ++i) {
    auto k = in.string();
    auto v = in.string();
    if (!k || !v) return std::nullopt;
    r.carried.emplace_back(std::move(*k), std::move(*v));
  }
  if (!in.done()) return std::nullopt;
  return r;
}

// The authenticated data of an id: format label, key tag, caller digest,
// on the stack. Digests are SHA-256 (32 bytes); a longer one is refused,
// never cut.
class AssociatedData {
 public:
  AssociatedData(unsigned char tag, std::string_view digest, SealedKind kind) {
    const std::string_view kLabel =
        kind == SealedKind::video ? "vgw-video-id/2" : "vgw-character-id/1";
    if (digest.size() > sizeof bytes_ - kLabel.size() - 1) {
      throw std::invalid_argument("binding digest too long");
    }
    std::memcpy(bytes_, kLabel.data(), kLabel.size());
    bytes_[kLabel.size()] = static_cast<char>(tag);
    std::memcpy(bytes_ + kLabel.size() + 1, digest.data(), digest.size());
    size_ = kLabel.size() + 1 + digest.size();
  }
  std::string_view view() const { return {bytes_, size_}; }

 private:
  char bytes_[96];
  size_t size_ = 0;
};

}  // namespace

bool VideoRecord::operator==(const VideoRecord& o) const {
  return vendor == o.vendor && task_id == o.task_id && kind == o.kind &&
         model == o.model && seconds == o.seconds && size == o.size &&
         created_at == o.created_at && carried == o.carried;
}

VideoIdSealer::VideoIdSealer(const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 16) {
      throw std::invalid_argument(
          "a video id key needs at least 16 characters");
    }
    // Keys are derived and set up once at config load, never per request.
    std::string aes_key = crypto::sha256("vgw video id key v1\n" + secret);
    std::string nonce_key = crypto::sha256("vgw video id nonce v2\n" + secret);
    auto tag = static_cast<unsigned char>(
        crypto::sha256("vgw key tag\n" + aes_key)[0]);
    keys_.push_back(
        Key{crypto::AesGcmKey(aes_key), crypto::HmacSha256Key(nonce_key), tag});
  }
}

namespace {

// "bearer x", "Bearer  x" and "BEARER x" are one caller: auth schemes are
// case-insensitive (RFC 9110 11.1) and whitespace around the token is not
// part of it. The token after "Bearer ", or nullopt for another scheme.
std::optional<std::string_view> bearer_token(std::string_view binding) {
  std::string_view v = trim(binding);
  constexpr std::string_view kBearer = "bearer";
  if (v.size() > kBearer.size() &&
      iequals(v.substr(0, kBearer.size()), kBearer) &&
      (v[kBearer.size()] == ' ' || v[kBearer.size()] == '\t')) {
    return trim(v.substr(kBearer.size()));
  }
  return std::nullopt;
}

}  // namespace

std::string VideoIdSealer::binding_digest(std::string_view binding) {
  // A client sends the same credential on every request of a poll loop, so
  // the last one's digest is kept and a request costs no SHA-256. Per
  // thread (a worker has one; nothing is shared) and trivially
  // destructible, like util/json.hpp's block cache: no exit-time
  // destructor ties the module to the process.
  struct Last {
    size_t size = 0;
    bool valid = false;
    char binding[256];
    char digest[32];
  };
  thread_local Last last;
  // Compared in constant time: the last caller's credential is a secret.
  if (last.valid && crypto::constant_time_equals(
                        binding, std::string_view(last.binding, last.size))) {
    return std::string(last.digest, sizeof last.digest);
  }
  constexpr std::string_view kLabel = "vgw binding\n";
  auto token = bearer_token(binding);
  std::string digest = token ? crypto::sha256({kLabel, "Bearer ", *token})
                             : crypto::sha256({kLabel, binding});
  last.valid = binding.size() <= sizeof last.binding &&
               digest.size() == sizeof last.digest;
  if (last.valid) {
    last.size = binding.size();
    std::memcpy(last.binding, binding.data(), binding.size());
    std::memcpy(last.digest, digest.data(), digest.size());
  }
  return digest;
}

std::string VideoIdSealer::seal(const VideoRecord& record,
                                std::string_view binding,
                                SealedKind kind) const {
  return seal_for_digest(record, binding_digest(binding), kind);
}

std::optional<VideoRecord> VideoIdSealer::open(std::string_view id,
                                               std::string_view binding,
                                               SealedKind kind) const {
  return open_for_digest(id, binding_digest(binding), kind);
}

std::string VideoIdSealer::seal_for_digest(const VideoRecord& record,
                                           std::string_view digest,
                                           SealedKind kind) const {
  if (keys_.empty()) throw std::logic_error("no video id key configured");
  const Key& key = keys_.front();
  std::string plain = serialize(record);
  // Deterministic (SIV-style) nonce: the same record for the same tenant
  // always seals to the same id, so a webhook event built later names the
  // very id the create returned. Records are unique (vendor task id and
  // creation time), so no two different plaintexts share a nonce.
  unsigned char mac[crypto::HmacSha256Key::kMacSize];
  key.nonce.sign_into({digest, plain}, mac);
  std::string_view nonce(reinterpret_cast<const char*>(mac), kNonceSize);
  std::string raw;
  raw.reserve(2 + kNonceSize + plain.size() + 16);
  raw.push_back(static_cast<char>(kFormatVersion));
  raw.push_back(static_cast<char>(key.tag));
  raw.append(nonce);
  key.aes.seal_append(nonce, AssociatedData(key.tag, digest, kind).view(),
                      plain, raw);
  std::string id(prefix(kind));
  base64url_encode_append(raw, id);
  return id;
}

std::optional<VideoRecord> VideoIdSealer::open_for_digest(
    std::string_view id, std::string_view digest, SealedKind kind) const {
  if (id.size() > kMaxIdLength || !starts_with(id, prefix(kind)))
    return std::nullopt;
  auto raw = base64url_decode(id.substr(prefix(kind).size()));
  if (!raw || raw->size() < 2 + kNonceSize + 16 ||
      static_cast<unsigned char>((*raw)[0]) != kFormatVersion) {
    return std::nullopt;
  }
  auto tag = static_cast<unsigned char>((*raw)[1]);
  std::string_view nonce = std::string_view(*raw).substr(2, kNonceSize);
  std::string_view sealed = std::string_view(*raw).substr(2 + kNonceSize);
  for (const auto& key : keys_) {
    if (key.tag != tag) continue;
    auto plain =
        key.aes.open(nonce, AssociatedData(tag, digest, kind).view(), sealed);
    if (plain) return deserialize(*plain);
  }
  return std::nullopt;
}

}  // namespace vgw
