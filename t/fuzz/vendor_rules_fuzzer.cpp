#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/rule_error.hpp"
#include "rules/vendor_rules.hpp"

// Rule files are operator input, but a typo must be a RuleError for
// `nginx -t`, never a crash or an unexpected exception type.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  try {
    vgw::parse_vendor_rules(yaml, "fuzz.yaml");
  } catch (const vgw::RuleError&) {
  }
  return 0;
}
