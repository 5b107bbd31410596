#pragma once

#include "rules/json_path.hpp"

namespace vgw {

// Where rule paths and expressions look names up.
class Scope {
 public:
  virtual ~Scope() = default;
  virtual const Json* lookup(const JsonPath& path) const = 0;
};

// Names resolve inside one JSON object.
class JsonScope : public Scope {
 public:
  explicit JsonScope(const Json& root) : root_(root) {}
  const Json* lookup(const JsonPath& path) const override {
    return path.find(root_);
  }

 private:
  const Json& root_;
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
