#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_error.hpp"
#include "translate/operation.hpp"

namespace vgw {

// GET /v1/videos?after=&limit=&order=: the caller's videos from the
// catalogue, newest first by default, each as the gateway last answered it
// (a video nobody polled stays as its create answered).
struct ListQuery {
  int limit = 20;
  bool ascending = false;
  std::string after;  // a video id; empty: from the start
};

// Reads the query string; an error for a bad limit or order.
std::optional<ApiError> parse_list_query(std::string_view args,
                                         ListQuery& query);

// `after_record_key`: the catalogue record of `query.after` (its number is
// where the page starts); empty when there is no `after`.
std::unique_ptr<Operation> make_list_operation(ListQuery query,
                                               std::string owner,
                                               std::string after_record_key);

}  // namespace vgw
