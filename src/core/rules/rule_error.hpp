#pragma once

#include <stdexcept>
#include <string>

namespace vgw {

// A problem in a vendor rule file, reported by `nginx -t` as file:line.
class RuleError : public std::runtime_error {
 public:
  RuleError(std::string message, int line = 0)
      : std::runtime_error(std::move(message)), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

}  // namespace vgw
