#pragma once

// The only place nginx headers are included. They must come before any
// C++ standard header in a translation unit: they fix the 64-bit off_t
// layout (see nginx's src/misc/ngx_cpp_test_module.cpp).
extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}
