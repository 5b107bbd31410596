#include "translate/param_normalizer.hpp"

#include <cmath>
#include <cstdlib>

#include "util/strings.hpp"

namespace vgw {
namespace {

template <class T, class F>
std::string quoted_list(const std::vector<T>& values, F text) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += i + 1 == values.size() ? (values.size() > 2 ? ", and " : " and ")
                                    : ", ";
    out += "'" + text(values[i]) + "'";
  }
  return out;
}

}  // namespace

std::optional<ApiError> normalize_seconds(
    const SecondsRule& rule, const std::optional<std::string>& asked,
    const std::string& model, std::string& out) {
  if (!asked) {
    // The loader makes every rule say one or the other.
    uint32_t v = rule.default_value.value_or(
        rule.supported.empty() ? 0 : rule.supported.front());
    out = std::to_string(v);
    return std::nullopt;
  }
  auto n = parse_uint(*asked);
  if (!n)
    return invalid_request("Invalid value for 'seconds'.", "seconds",
                           "invalid_value");
  if (rule.supported.empty()) {
    out = *asked;
    return std::nullopt;
  }
  uint32_t best = rule.supported.front();
  for (uint32_t s : rule.supported) {
    if (s == *n) {
      out = *asked;
      return std::nullopt;
    }
    auto d = std::llabs(static_cast<long long>(s) - static_cast<long long>(*n));
    auto bd =
        std::llabs(static_cast<long long>(best) - static_cast<long long>(*n));
    if (d < bd || (d == bd && s < best)) best = s;
  }
  if (rule.unsupported == OnUnsupported::nearest) {
    out = std::to_string(best);
    return std::nullopt;
  }
  return invalid_request(
      "Invalid value: '" + *asked + "'. Supported values for model '" + model +
          "' are: " +
          quoted_list(rule.supported,
                      [](uint32_t v) { return std::to_string(v); }) +
          ".",
      "seconds", "invalid_value");
}

std::optional<ApiError> normalize_size(const SizeRule& rule,
                                       const std::optional<std::string>& asked,
                                       const std::string& model,
                                       std::string& out) {
  if (!asked) {
    out = rule.default_value.value_or(
        rule.supported.empty() ? std::string() : rule.supported.front());
    return std::nullopt;
  }
  auto want = parse_size(*asked);
  if (!want)
    return invalid_request("Invalid value for 'size'.", "size",
                           "invalid_value");
  if (rule.supported.empty()) {
    out = *asked;
    return std::nullopt;
  }
  // Nearest means: closest aspect ratio first (what the picture looks like),
  // then closest pixel count. Ratios within 1% count as the same shape
  // (1366x768 and 1920x1080 are both 16:9).
  const std::string* best = nullptr;
  double best_ratio = 0, best_area = 0;
  double want_ratio = std::log(double(want->width) / want->height);
  double want_area = double(want->width) * want->height;
  for (const auto& s : rule.supported) {
    if (s == *asked) {
      out = s;
      return std::nullopt;
    }
    auto d = parse_size(s);
    double ratio =
        std::fabs(std::log(double(d->width) / d->height) - want_ratio);
    double area = std::fabs(double(d->width) * d->height - want_area);
    constexpr double kSameShape = 0.01;
    if (!best || ratio < best_ratio - kSameShape ||
        (std::fabs(ratio - best_ratio) <= kSameShape && area < best_area)) {
      best = &s;
      best_ratio = ratio;
      best_area = area;
    }
  }
  if (rule.unsupported == OnUnsupported::nearest) {
    out = *best;
    return std::nullopt;
  }
  return invalid_request(
      "Invalid value: '" + *asked + "'. Supported values for model '" + model +
          "' are: " +
          quoted_list(rule.supported, [](const std::string& v) { return v; }) +
          ".",
      "size", "invalid_value");
}

}  // namespace vgw
