#pragma once

#include "rules/json_path.hpp"

namespace vgw {

// Where rule paths and expressions look names up.
class Scope {
 public:
  virtual ~Scope() = default;
  virtual const Json* lookup(const JsonPath& path) const = 0;
};

// Names resolve inside one JSON object, except names bound to documents
// that live elsewhere (a vendor's params, the client's metadata, the body
// being built), which a request's scope refers to instead of copying them
// on every request. A bound document must outlive the scope.
class JsonScope : public Scope {
 public:
  explicit JsonScope(const Json& root) : root_(root) {}
  void bind(std::string_view name, const Json& document) {
    bound_.emplace_back(name, &document);
  }
  const Json* lookup(const JsonPath& path) const override {
    if (const std::string* root = bound_.empty() ? nullptr : path.root_name()) {
      for (const auto& [name, document] : bound_) {
        if (*root == name) return path.find_from(*document, 1);
      }
    }
    return path.find(root_);
  }

 private:
  const Json& root_;
  std::vector<std::pair<std::string_view, const Json*>> bound_;
};

// A vendor reply: names resolve inside the body, except `http_status`.
class ReplyScope : public Scope {
 public:
  ReplyScope(const Json& body, int http_status)
      : body_(body), status_(http_status) {}
  const Json* lookup(const JsonPath& path) const override {
    if (path.size() == 1 && path.root() == "http_status") return &status_;
    return path.find(body_);
  }

 private:
  const Json& body_;
  Json status_;
};

}  // namespace vgw
