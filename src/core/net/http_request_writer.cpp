#include "net/http_request_writer.hpp"

#include <charconv>

#include "net/http_token.hpp"
#include "util/strings.hpp"

namespace vgw {
namespace {

bool is_visible(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool writer_owns(std::string_view name) {
  return iequals(name, "Host") || iequals(name, "Content-Length") ||
         iequals(name, "Connection") || iequals(name, "Transfer-Encoding");
}

void append_number(std::string& out, size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

}  // namespace

bool write_request_head(const UpstreamCall& call, std::string_view target,
                        std::string_view host, std::string& out) {
  out.clear();
  if (!is_http_token(call.method) || !is_visible(target) ||
      target.front() != '/' || !is_visible(host)) {
    return false;
  }
  size_t size = call.method.size() + target.size() + host.size() + 64;
  for (const auto& h : call.headers) size += h.name.size() + h.value.size() + 4;
  out.reserve(size);
  out.append(call.method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host).append("\r\n");
  for (const auto& h : call.headers) {
    if (!is_http_token(h.name) || has_control_chars(h.value)) {
      out.clear();
      return false;
    }
    if (writer_owns(h.name)) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  size_t body = call.body_size();
  // A GET or DELETE without a body says nothing about one, as nginx's proxy
  // does; every other method states its length, 0 included.
  bool bodiless = (call.method == "GET" || call.method == "DELETE" ||
                   call.method == "HEAD") &&
                  body == 0;
  if (!bodiless) {
    out.append("Content-Length: ");
    append_number(out, body);
    out.append("\r\n");
  }
  out.append("\r\n");
  return true;
}

}  // namespace vgw
