#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vgw {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

std::optional<std::string_view> find_header(const Headers& headers,
                                            std::string_view name);

// What the gateway answers to its client.
struct HttpResponse {
  int status = 200;
  std::string body;
  Headers headers;  // extra headers (Retry-After, x-should-retry...)
  // Empty for JSON, everything the core builds (a default that costs no
  // allocation per response), else the type of a result file a vendor
  // returns inline (base64 in its status reply), served decoded.
  std::string content_type;
  std::string_view media_type() const {
    return content_type.empty() ? std::string_view("application/json")
                                : std::string_view(content_type);
  }
};

// A large part of a request body spliced into it at byte `at` without a
// copy: a view of memory that outlives the call (the client's request body),
// or of `owner` (an image encoded for this call).
struct BodyInsert {
  size_t at = 0;
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

// Room reserved for a vendor call's headers (content type, encoding, auth,
// a few from the rules), so signing does not grow the list header by header.
inline constexpr size_t kTypicalCallHeaders = 8;

// One call to a vendor, executed by the nginx layer through proxy_pass.
// Content-Length is derived by nginx from the body.
struct UpstreamCall {
  std::string method = "GET";
  std::string url;
  // Host header and TLS server name when they are not url's host (a call
  // pinned to the address a client's host name was checked at); empty:
  // derived from url.
  std::string host;
  std::string server_name;
  Headers headers;
  std::string body;
  std::vector<BodyInsert> inserts;  // in ascending `at` order
  // Total time the call may take, in seconds (0: only the call location's
  // own timeouts); for downloads from hosts a client chose.
  int deadline_seconds = 0;
  // A host a client chose (an image download), not the vendor: how it
  // fares says nothing about the vendor's health.
  bool client_host = false;

  size_t body_size() const;
  // Calls fn(std::string_view) for each piece of the body, in order.
  template <class F>
  void for_each_body_piece(F&& fn) const {
    size_t from = 0;
    for (const auto& insert : inserts) {
      if (insert.at > from)
        fn(std::string_view(body).substr(from, insert.at - from));
      if (!insert.bytes.empty()) fn(insert.bytes);
      from = insert.at;
    }
    if (from < body.size()) fn(std::string_view(body).substr(from));
  }
  std::string flat_body() const;
};

// What came back from that call.
struct UpstreamReply {
  int status = 0;             // vendor HTTP status; 0 when none arrived
  bool timed_out = false;     // no (complete) reply within the deadline
  bool request_sent = false;  // some bytes of the request reached the vendor
  bool too_large = false;     // reply exceeded the in-memory limit
  bool truncated = false;     // the reply's body was cut off
  // The body is in a Content-Encoding the gateway cannot read, or corrupt.
  bool unreadable = false;
  // nginx itself refused the call before contacting the vendor (limit_req,
  // access rules in the call location): that HTTP status, else 0.
  int local_status = 0;
  std::string_view body;
  Headers headers;
};

// Hands the client connection to nginx's streaming proxy for a result file.
struct MediaFetch {
  std::string url;
  Headers headers;           // vendor credentials only where required
  std::string content_type;  // used when the CDN sends a generic type
};

}  // namespace vgw
