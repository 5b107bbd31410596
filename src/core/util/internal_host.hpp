#pragma once

#include <string>

namespace vgw {

// True for 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, 100.64/10, 0/8,
// multicast, ::1, fc00::/7, fe80::/10, IPv4-mapped forms of those, and
// `localhost`, `*.local`, `*.internal` names: hosts the gateway must not be
// made to contact on a client's behalf (webhooks, image URLs).
bool is_internal_host(const std::string& host);

}  // namespace vgw
