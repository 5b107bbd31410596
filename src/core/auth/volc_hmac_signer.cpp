#include <algorithm>
#include <ctime>

#include "auth/signer_schemes.hpp"
#include "crypto/crypto.hpp"

namespace vgw {

// Volcengine's signature V4 (HMAC-SHA256), used by the visual "CV" API that
// serves Jimeng. Like AWS SigV4 but with no "AWS4" prefix on the key, the
// secret key used as-is, and the scope `date/region/service/request`. The
// payload hash covers the exact body bytes, so this runs after the body is
// final; Host is what nginx sends ($proxy_host: host[:port]).
class VolcHmacSigner : public Signer {
 public:
  VolcHmacSigner(std::string access_key, std::string secret_key,
                 std::string region, std::string service)
      : access_key_(std::move(access_key)),
        secret_key_(std::move(secret_key)),
        region_(std::move(region)),
        service_(std::move(service)) {}

  void sign(UpstreamCall& call, const UrlParts& url, int64_t now) override {
    const std::string x_date = format_time(now, "%Y%m%dT%H%M%SZ");
    const std::string short_date = x_date.substr(0, 8);
    crypto::Sha256 body_hash;
    call.for_each_body_piece([&](std::string_view p) { body_hash.update(p); });
    const std::string payload_hash = crypto::to_hex(body_hash.finish());
    std::string content_type;
    if (auto ct = find_header(call.headers, "Content-Type")) {
      content_type = std::string(*ct);
    } else {
      content_type = "application/json";
      call.headers.push_back({"Content-Type", content_type});
    }
    call.headers.push_back({"X-Date", x_date});
    call.headers.push_back({"X-Content-Sha256", payload_hash});

    static const char* kSignedHeaders =
        "content-type;host;x-content-sha256;x-date";
    std::string canonical =
        call.method + "\n" + url.path + "\n" + canonical_query(url.query) +
        "\n" + "content-type:" + std::string(trim(content_type)) + "\n" +
        "host:" + url.authority + "\n" + "x-content-sha256:" + payload_hash +
        "\n" + "x-date:" + x_date + "\n\n" + kSignedHeaders + "\n" +
        payload_hash;
    const std::string scope =
        short_date + "/" + region_ + "/" + service_ + "/request";
    const std::string to_sign = "HMAC-SHA256\n" + x_date + "\n" + scope + "\n" +
                                crypto::sha256_hex(canonical);
    std::string key = crypto::hmac_sha256(secret_key_, short_date);
    key = crypto::hmac_sha256(key, region_);
    key = crypto::hmac_sha256(key, service_);
    key = crypto::hmac_sha256(key, "request");
    call.headers.push_back(
        {"Authorization",
         "HMAC-SHA256 Credential=" + access_key_ + "/" + scope +
             ", SignedHeaders=" + kSignedHeaders + ", Signature=" +
             crypto::to_hex(crypto::hmac_sha256(key, to_sign))});
  }

 private:
  static std::string format_time(int64_t now, const char* format) {
    std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
  }

  // Sorted by name, names and values percent-encoded per RFC 3986.
  static std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    for (auto pair : split(query, '&')) {
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      auto name = pair.substr(0, eq);
      auto value = eq == std::string_view::npos ? std::string_view()
                                                : pair.substr(eq + 1);
      params.emplace_back(percent_encode(url_decode(name)),
                          percent_encode(url_decode(value)));
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [n, v] : params) {
      out += (out.empty() ? "" : "&") + n + "=" + v;
    }
    return out;
  }

  std::string access_key_;
  std::string secret_key_;
  std::string region_;
  std::string service_;
};

std::unique_ptr<Signer> make_volc_hmac_signer(const SignerParams& params) {
  auto optional = [&](const char* name, const char* fallback) {
    auto it = params.find(name);
    return it == params.end() || it->second.empty() ? std::string(fallback)
                                                    : it->second;
  };
  return std::make_unique<VolcHmacSigner>(
      require_param(params, "volc_hmac", "access_key"),
      require_param(params, "volc_hmac", "secret_key"),
      optional("region", "cn-north-1"), optional("service", "cv"));
}

}  // namespace vgw
