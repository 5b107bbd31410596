#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope.hpp"

namespace vgw {

// The small condition language of vendor rules, compiled once at config load:
//   has(image) && kind == 'text2video'
//   code >= 1000 && code <= 1004 || http_status == 401
//   lower(status) in ['failed', 'cancelled']
// Literals: 'text' "text" 12 1.5 true false null [a, b]
// Operators: || && ! == != < <= > >= in ( )
// Functions: has(x) count(x) lower(x) number(x) string(x)
//            starts_with(a, b) ends_with(a, b) contains(a, b)
class Expression {
 public:
  struct Node;

  Expression();
  ~Expression();
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  static Expression compile(std::string_view text);  // throws RuleError

  Json evaluate(const Scope& scope) const;
  bool test(const Scope& scope) const;  // json_truthy(evaluate(scope))

  // Every name the expression reads, so the loader can reject unknown ones.
  const std::vector<std::string>& roots() const { return roots_; }
  const std::string& text() const { return text_; }
  bool empty() const { return root_ == nullptr; }

 private:
  std::unique_ptr<Node> root_;
  std::vector<std::string> roots_;
  std::string text_;
};

}  // namespace vgw
