#pragma once

#include <forward_list>
#include <optional>
#include <string_view>
#include <utility>

#include "rules/json_path.hpp"

namespace vgw {

// Where rule paths and expressions look names up.
class Scope {
 public:
  virtual ~Scope() = default;
  virtual const Json* lookup(const JsonPath& path) const = 0;
  // The string at `path` when the scope holds it as text (a create's
  // prompt, model, seconds...): templates write it without a Json built
  // for it. nullopt means "ask lookup()", never "missing".
  virtual std::optional<std::string_view> text(const JsonPath&) const {
    return std::nullopt;
  }
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

// The values of a scope's names, each built the first time a rule reads it
// and kept while the scope lives (most rules read a few of many names, on
// every request). Names are views of the rules' paths, which outlive every
// request. A list: values handed out stay where they are, and an empty one
// allocates nothing (an empty std::deque allocates twice).
class BuiltNames {
 public:
  // `path` from its second segment in the value of `name`, built by
  // `build(name)` (std::optional<Json>; nullopt: no such name).
  template <class Build>
  const Json* find(const JsonPath& path, std::string_view name,
                   Build&& build) const {
    for (const auto& [built, value] : values_) {
      if (built == name) return path.find_from(value, 1);
    }
    std::optional<Json> value = build(name);
    if (!value) return nullptr;
    return path.find_from(values_.emplace_front(name, std::move(*value)).second,
                          1);
  }

 private:
  mutable std::forward_list<std::pair<std::string_view, Json>> values_;
};

// Names resolve inside a flat document (a vendor's reply).
class DocumentScope : public Scope {
 public:
  explicit DocumentScope(const JsonDocument& document) : document_(document) {}
  const Json* lookup(const JsonPath& path) const override {
    return path.find(document_);
  }

 private:
  const JsonDocument& document_;
};

// A vendor reply: names resolve inside the body, except `http_status`.
class ReplyScope : public DocumentScope {
 public:
  ReplyScope(const JsonDocument& body, int http_status)
      : DocumentScope(body), status_(http_status) {}
  const Json* lookup(const JsonPath& path) const override {
    if (path.size() == 1 && path.root() == "http_status") return &status_;
    return DocumentScope::lookup(path);
  }

 private:
  Json status_;
};

}  // namespace vgw
