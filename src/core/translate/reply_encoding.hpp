#pragma once

#include <cstddef>
#include <string>

#include "http_types.hpp"

namespace vgw {

// Vendor calls ask for identity replies (Accept-Encoding: identity), yet
// vendors, CDNs and proxies in front of them compress anyway, and a create
// reply the gateway cannot read loses a paid task. gzip and deflate
// (zlib-wrapped or raw, as servers send it) are decoded into `storage`,
// which `reply.body` then views; the Content-Encoding header is dropped.
enum class ReplyDecoding {
  unchanged,
  decoded,
  unsupported,
  corrupt,
  too_large
};

ReplyDecoding decode_reply_body(UpstreamReply& reply, std::string& storage,
                                size_t max_bytes);

// decode_reply_body for a reply read whole, with the outcome recorded on
// the reply itself (unreadable, too_large) for the core to answer.
void decode_reply_in_place(UpstreamReply& reply, std::string& storage,
                           size_t max_bytes);

}  // namespace vgw
