#pragma once

#include <memory>

#include "translate/operation.hpp"

namespace vgw {

// The "unified" relay dialect (POST/GET /v1/video/generations, new-api and
// the Chinese relays it inspired): the same operations, answered as
//   create:   {"task_id", "status"}
//   retrieve: {"task_id", "status", "url", "format", "metadata", "error"}
//   errors:   {"code", "message", "param", "type"} (not wrapped in "error")
// Status words are the relay seed's (queued, processing, succeeded, failed)
// unless `openai_words`. Task ids are the same sealed ids as /v1/videos.
std::unique_ptr<Operation> speak_unified(std::unique_ptr<Operation> inner,
                                         bool openai_words);

}  // namespace vgw
