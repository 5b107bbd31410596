#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "translate/circuit_breaker.hpp"
#include "auth/signer.hpp"
#include "rules/vendor_rules.hpp"

namespace vgw {

// What nginx.conf says about one vendor, on top of its YAML rules.
struct VendorSettings {
  std::string base_url;  // empty: the rules' default
  // An nginx `upstream {}` block the vendor's host is reached through (for
  // keepalive connections); empty: nginx resolves base_url's host per call.
  std::string upstream;
  std::map<std::string, std::string> credentials;
  // Extra client model names routed to this vendor, checked before the
  // rules' own list: "alias" or "alias:vendor_model".
  std::vector<std::string> extra_models;
  // One of several accounts loaded from the same rules: its name (sealed
  // into the ids it makes, so polls and downloads use the account that
  // created the task); empty: the rules' name.
  std::string account;
  // A model several accounts list is served by a pool: the lowest priority
  // first (unset: the order nginx.conf loads them in), accounts of one
  // priority by weight; the next on refusals that leave no task.
  std::optional<int> priority;
  int weight = 1;
  // Tasks this account runs at once (0: no cap), counted in the store.
  int64_t max_tasks = 0;
};

// A vendor ready to serve: rules + endpoint + credentials + signer.
class Vendor {
 public:
  Vendor(VendorRules rules,
         const VendorSettings& settings);  // throws RuleError

  const VendorRules& rules() const { return rules_; }
  // The account: the rules' name unless nginx.conf names it otherwise.
  const std::string& name() const { return rules_.name; }
  // The vendor's own name (its rules'), whichever account this is.
  const std::string& vendor_name() const { return vendor_name_; }
  int priority() const { return priority_; }
  int weight() const { return weight_; }
  int64_t max_tasks() const { return max_tasks_; }
  void set_default_priority(int p) {
    if (!explicit_priority_) priority_ = p;
  }
  const std::string& base_url() const { return base_url_; }
  const Json& params() const { return params_; }
  // OAuth-style vendors: see Signer::token_call.
  bool exchanges_tokens() const {
    return signer_ && signer_->exchanges_tokens();
  }
  std::optional<UpstreamCall> token_call(int64_t now);
  bool accept_token(const UpstreamReply& reply, int64_t now);

  // Names of credentials the rules need but nginx.conf did not provide.
  const std::vector<std::string>& missing_credentials() const {
    return missing_credentials_;
  }

  const ModelRule* find_model(const std::string& client_model) const;

  // Absolute URL for a rule path rendered against the base URL.
  std::string url_for(const std::string& path) const;

  // Adds the vendor's static headers and its auth scheme to a call whose
  // body is final, then routes it (see route()).
  void sign(UpstreamCall& call, int64_t now);

  // A call to the vendor's own host goes through its upstream block when
  // one is configured: the URL names the block, Host and TLS name stay
  // base_url's (which signatures were computed over).
  void route(UpstreamCall& call) const;
  const std::string& upstream() const { return upstream_; }

  // parse_url(url), without parsing base_url again when url is base_url
  // followed by a path (every call the rules build).
  std::optional<UrlParts> parse_call_url(const std::string& url) const;

  // Result files may only come from the vendor's own host or the hosts its
  // rules list, so a forged or hijacked status reply cannot make the gateway
  // fetch arbitrary URLs.
  bool result_url_allowed(const UrlParts& url) const;

  // Removes credential values from text that may reach a client or a log.
  std::string redact(std::string text) const;

  // This worker's view of the vendor's circuit breaker.
  BreakerMemo& breaker_memo() const { return breaker_memo_; }

 private:
  VendorRules rules_;
  std::string vendor_name_;
  int priority_ = 0;
  bool explicit_priority_ = false;
  int weight_ = 1;
  int64_t max_tasks_ = 0;
  std::string base_url_;
  UrlParts base_;
  // base_url + "/path" parses as base_ plus that path (no query or fragment
  // in base_url); the path base_url adds to every call's.
  bool base_is_prefix_ = false;
  std::string base_path_prefix_;
  std::string upstream_;
  std::vector<std::string> secrets_;
  Json params_ = Json::object();
  std::vector<std::string> missing_credentials_;
  void route(UpstreamCall& call, const UrlParts& url) const;

  Headers static_headers_;
  std::unique_ptr<Signer> signer_;
  // find_model() on every request: literal patterns by lower-case name
  // (their first position in the list), globs in list order.
  std::unordered_map<std::string, size_t> literal_models_;
  std::vector<size_t> glob_models_;
  mutable BreakerMemo breaker_memo_;  // each worker's copy its own (fork)
};

}  // namespace vgw
