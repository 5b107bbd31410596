#pragma once

#include <string>
#include <string_view>

#include "http_types.hpp"

namespace vgw {

// The request line and header section of a vendor call as HTTP/1.1 puts
// them on the wire: `target` is the path and query, `host` the Host header.
// Host, Content-Length, Connection and Transfer-Encoding are the writer's
// own; any the core's headers carry are left out. Returns false, writing
// nothing usable, when a method, target, name or value could split the
// request (spaces in the line, CR, LF or NUL anywhere, a name that is not a
// token).
bool write_request_head(const UpstreamCall& call, std::string_view target,
                        std::string_view host, std::string& out);

}  // namespace vgw
