#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/client_request.hpp"
#include "translate/operation.hpp"

namespace vgw {

// Keys live this long, as with OpenAI's and Stripe's idempotency keys.
inline constexpr int64_t kIdempotencyTtlSeconds = 24 * 3600;

// What an Idempotency-Key is checked against: the create as parsed (not
// its bytes: an SDK's retry of a multipart create picks a new boundary).
std::string create_fingerprint(const ClientVideoRequest& request);

// The store key of a caller's Idempotency-Key: hashed, so the store never
// holds the caller's identity (an Authorization header, by default).
std::string idempotency_store_key(std::string_view binding,
                                  std::string_view idempotency_key);

// A create made at most once per key: the first request claims the key in
// the shared store and runs `create`; its answer is recorded and replayed
// to every later request with the key (the same video id, one vendor
// task). A request while the first is still running is a 409 the SDKs
// retry after Retry-After; the key with a different create is a 422. An
// answer a retry could change (429 and 5xx that say a retry is safe, so no
// task exists) gives the key back instead of being recorded.
std::unique_ptr<Operation> make_idempotent_create(
    std::unique_ptr<Operation> create, std::string store_key,
    std::string fingerprint);

}  // namespace vgw
