#pragma once

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
  // JSON for everything the core builds, except result files a vendor
  // returns inline (base64 in its status reply), which are served decoded.
  std::string content_type = "application/json";
};

// One call to a vendor, executed by the nginx layer through proxy_pass.
// Host and Content-Length are derived by nginx from `url` and `body`.
struct UpstreamCall {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
};

// What came back from that call.
struct UpstreamReply {
  int status = 0;             // vendor HTTP status; 0 when none arrived
  bool timed_out = false;     // no (complete) reply within the deadline
  bool request_sent = false;  // some bytes of the request reached the vendor
  bool too_large = false;     // reply exceeded the in-memory limit
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
