#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "rules/expression.hpp"

namespace vgw {

// A JSON value described in YAML that is filled in per request.
//   prompt: ${prompt}                    whole reference keeps the JSON type
//   path: /v1/videos/${kind}/${task_id}  interpolation gives a string
//   duration: {$value: ${seconds}, $as: string}
//   image: {$when: "kind == 'image2video'", $value: ${image|url_or_base64}}
//   ratio: {$value: ${size}, $map: {1280x720: "16:9"}, $else: "16:9"}
//   images: {$each: ${images}, $value: ${item|url_or_data_url}}
// $each renders $value once per list element (names `item`, `index`); in a
// YAML list its results are spliced in, so a fixed first element can be
// followed by one element per image.
// Keys whose value is absent (missing input, false $when) are omitted, so
// nothing is sent that the client did not ask for or the rule did not set.
class ValueTemplate {
 public:
  struct Node;

  ValueTemplate();
  ~ValueTemplate();
  ValueTemplate(ValueTemplate&&) noexcept;
  ValueTemplate& operator=(ValueTemplate&&) noexcept;

  // `allowed_roots` lists the names this section may read; anything else is
  // a RuleError with the YAML line.
  static ValueTemplate compile(const YAML::Node& node,
                               const std::set<std::string>& allowed_roots);
  static ValueTemplate from_string(const std::string& text,
                                   const std::set<std::string>& allowed_roots,
                                   int line = 0);

  std::optional<Json> render(const Scope& scope) const;
  // Appends what append_json(out, *render(scope)) appends, without building
  // the document; false (nothing appended) when render() is nullopt.
  bool render_json(const Scope& scope, std::string& out) const;
  // Renders and requires a non-empty string (URLs, header values).
  std::optional<std::string> render_text(const Scope& scope) const;

  bool empty() const { return root_ == nullptr; }
  // The filters its references read (`base64` for ${image|base64}).
  const std::set<std::string>& filters() const { return filters_; }
  // The names it reads (`task_id` for ${task_id}).
  const std::set<std::string>& names_read() const { return read_; }

 private:
  std::unique_ptr<Node> root_;
  std::set<std::string> filters_;
  std::set<std::string> read_;
};

}  // namespace vgw
