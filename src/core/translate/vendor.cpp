#include "translate/vendor.hpp"

#include <cctype>
#include <stdexcept>

#include "rules/rule_error.hpp"
#include "rules/scope.hpp"
#include "util/json_reader.hpp"

namespace vgw {

Vendor::Vendor(VendorRules rules, const VendorSettings& settings)
    : rules_(std::move(rules)),
      vendor_name_(rules_.name),
      priority_(settings.priority.value_or(0)),
      explicit_priority_(settings.priority.has_value()),
      weight_(settings.weight),
      max_tasks_(settings.max_tasks) {
  if (!settings.account.empty()) {
    bool ok = settings.account.size() <= 64;
    for (char c : settings.account) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                  c == '-' || c == '.');
    }
    if (!ok) {
      throw RuleError("account '" + settings.account.substr(0, 64) +
                      "' must be 1-64 letters, digits, '-', '_' or '.'");
    }
    rules_.name = settings.account;
  }
  if (weight_ < 1 || weight_ > 1000) {
    throw RuleError("weight must be 1-1000");
  }
  if (max_tasks_ < 0) throw RuleError("max_tasks must be at least 1");
  base_url_ =
      settings.base_url.empty() ? rules_.default_base_url : settings.base_url;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  auto parsed = parse_url(base_url_);
  if (!parsed)
    throw RuleError("base_url '" + base_url_ + "' is not an http(s) URL");
  base_ = *parsed;
  base_is_prefix_ = base_url_.find_first_of("?#", base_.scheme.size() + 3) ==
                    std::string::npos;
  if (base_.path != "/") base_path_prefix_ = base_.path;
  upstream_ = settings.upstream;
  for (char c : upstream_) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
              c == '-' || c == '.';
    if (!ok) throw RuleError("upstream '" + upstream_ + "' is not a name");
  }

  std::vector<ModelRule> extra;
  for (const auto& spec : settings.extra_models) {
    ModelRule m;
    auto colon = spec.find(':');
    m.pattern = spec.substr(0, colon);
    if (colon != std::string::npos) m.vendor_model = spec.substr(colon + 1);
    if (m.pattern.empty() || has_control_chars(spec)) {
      throw RuleError("bad model alias '" + spec + "'");
    }
    extra.push_back(std::move(m));
  }
  rules_.models.insert(rules_.models.begin(), extra.begin(), extra.end());
  for (size_t i = 0; i < rules_.models.size(); ++i) {
    const std::string& pattern = rules_.models[i].pattern;
    if (pattern.find_first_of("*?") == std::string::npos) {
      literal_models_.emplace(to_lower(pattern), i);
    } else {
      glob_models_.push_back(i);
    }
  }

  Json cred = Json::object();
  std::vector<std::string> missing_optional;
  for (const auto& name : rules_.credentials) {
    auto it = settings.credentials.find(name);
    if (it == settings.credentials.end() || it->second.empty()) {
      (rules_.optional_credentials.count(name) ? missing_optional
                                               : missing_credentials_)
          .push_back(name);
      continue;
    }
    // A JSON key file (Google service account) is re-serialised compactly,
    // which escapes its line breaks.
    std::string value = it->second;
    if (value.front() == '{') {
      auto parsed = read_json(value);
      if (parsed.is_object()) value = parsed.dump();
    }
    if (has_control_chars(value)) {
      throw RuleError("credential '" + name + "' contains control characters");
    }
    cred[name] = value;
    secrets_.push_back(value);
  }
  // Alternatives (access_token? or service_account?): none set at all means
  // the vendor is not configured, like a missing required credential.
  if (!missing_optional.empty() && cred.empty()) {
    missing_credentials_.insert(missing_credentials_.end(),
                                missing_optional.begin(),
                                missing_optional.end());
  }
  for (const auto& [name, fallback] : rules_.params) {
    auto it = settings.credentials.find(name);
    if (it != settings.credentials.end() && !it->second.empty()) {
      if (has_control_chars(it->second)) {
        throw RuleError("param '" + name + "' contains control characters");
      }
      params_[name] = it->second;
    } else if (fallback) {
      params_[name] = *fallback;
    } else {
      missing_credentials_.push_back(name);
    }
  }
  for (const auto& [name, value] : settings.credentials) {
    bool declared = false;
    for (const auto& c : rules_.credentials) declared = declared || c == name;
    for (const auto& p : rules_.params) declared = declared || p.first == name;
    if (!declared) {
      throw RuleError("vendor '" + rules_.name + "' has no credential named '" +
                      name + "' (its rules declare: " +
                      [&] {
                        std::string s;
                        for (const auto& c : rules_.credentials)
                          s += (s.empty() ? "" : ", ") + c;
                        return s.empty() ? std::string("none") : s;
                      }() +
                      ")");
    }
  }
  if (!missing_credentials_.empty()) return;  // served as "not configured"

  Json root = {{"cred", cred}, {"param", params_}};
  JsonScope scope(root);
  for (const auto& [name, tmpl] : rules_.headers) {
    auto v = tmpl.render_text(scope);
    if (v) static_headers_.push_back({name, *v});
  }
  SignerParams params;
  for (const auto& [name, tmpl] : rules_.auth.params) {
    auto v = tmpl.render_text(scope);
    if (v) params[name] = *v;
  }
  try {
    signer_ = make_signer(rules_.auth.scheme, params);
  } catch (const std::invalid_argument& e) {
    throw RuleError(e.what(), rules_.auth.line);
  }
}

const ModelRule* Vendor::find_model(const std::string& client_model) const {
  // The first pattern in the list that matches wins, literal or glob.
  size_t first = rules_.models.size();
  auto literal = literal_models_.find(to_lower(client_model));
  if (literal != literal_models_.end()) first = literal->second;
  for (size_t i : glob_models_) {
    if (i > first) break;
    if (glob_match(rules_.models[i].pattern, client_model)) {
      return &rules_.models[i];
    }
  }
  return first < rules_.models.size() ? &rules_.models[first] : nullptr;
}

std::string Vendor::url_for(const std::string& path) const {
  // Paths can carry vendor-supplied values (task ids): never let them split
  // the request line.
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      throw std::runtime_error(
          "refusing a vendor URL with control characters or spaces");
    }
  }
  std::string url;
  url.reserve(base_url_.size() + path.size());
  return url.append(base_url_).append(path);
}

std::optional<UpstreamCall> Vendor::token_call(int64_t now) {
  auto call = signer_ ? signer_->token_call(now) : std::nullopt;
  if (call) route(*call);
  return call;
}

std::optional<UrlParts> Vendor::parse_call_url(const std::string& url) const {
  // Most calls are base_url + a rule's path: the base was parsed once, at
  // configuration load, so only the path is split here (what parse_url
  // would make of the whole URL; anything else is parsed in full).
  std::string_view rest(url);
  if (base_is_prefix_ && rest.size() > base_url_.size() &&
      rest.compare(0, base_url_.size(), base_url_) == 0 &&
      rest[base_url_.size()] == '/') {
    rest.remove_prefix(base_url_.size());
    rest = rest.substr(0, rest.find('#'));
    size_t q = rest.find('?');
    std::string_view path = rest.substr(0, q);
    UrlParts parts;
    parts.scheme = base_.scheme;
    parts.host = base_.host;
    parts.authority = base_.authority;
    parts.port = base_.port;
    parts.path.reserve(base_path_prefix_.size() + path.size());
    parts.path.append(base_path_prefix_).append(path);
    if (q != std::string_view::npos) parts.query.assign(rest.substr(q + 1));
    return parts;
  }
  return parse_url(url);
}

void Vendor::route(UpstreamCall& call) const {
  if (auto url = parse_call_url(call.url)) route(call, *url);
}

void Vendor::route(UpstreamCall& call, const UrlParts& url) const {
  // Host and TLS name as nginx would derive them from the URL; through an
  // upstream block they stay base_url's.
  call.host = url.authority;
  call.server_name = url.host;
  if (upstream_.empty() || url.scheme != base_.scheme ||
      url.authority != base_.authority) {
    return;
  }
  std::string through;
  through.reserve(url.scheme.size() + 3 + upstream_.size() + url.path.size() +
                  1 + url.query.size());
  through.append(url.scheme).append("://").append(upstream_).append(url.path);
  if (!url.query.empty()) through.append("?").append(url.query);
  call.url = std::move(through);
}

bool Vendor::accept_token(const UpstreamReply& reply, int64_t now) {
  return signer_ && signer_->accept_token(reply, now);
}

void Vendor::sign(UpstreamCall& call, int64_t now) {
  // Replies are parsed, so they are asked for uncompressed (and decoded if
  // compressed anyway, see reply_encoding.hpp).
  call.headers.push_back({"Accept-Encoding", "identity"});
  for (const auto& h : static_headers_) call.headers.push_back(h);
  auto url = parse_call_url(call.url);
  if (!url) {
    if (signer_) throw std::runtime_error("unsigned call has an invalid URL");
    return;
  }
  if (signer_) signer_->sign(call, *url, now);
  route(call, *url);
}

bool Vendor::result_url_allowed(const UrlParts& url) const {
  if (url.host == base_.host) return true;
  for (const auto& pattern : rules_.result_hosts) {
    if (glob_match(pattern, url.host)) return true;
  }
  return false;
}

std::string Vendor::redact(std::string text) const {
  for (const auto& secret : secrets_) {
    if (secret.size() < 4) continue;
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "[redacted]");
    }
  }
  return text;
}

}  // namespace vgw
