#pragma once

#include <string_view>

#include "util/json.hpp"

namespace vgw {

// Parses one JSON document into nlohmann's DOM, as
// `nlohmann::json::parse(text, nullptr, false)` does, value for value (the
// json_reader fuzzer holds the two to that): RFC 8259 strictly, well-formed
// UTF-8 in strings, a leading UTF-8 BOM skipped, the last of duplicate keys
// kept, integers as unsigned or signed 64-bit and beyond that as doubles,
// non-finite numbers refused. Unlike nlohmann it refuses documents nested
// deeper than kMaxJsonDepth, and bytes after a document's end even when a
// NUL byte precedes them (nlohmann's lexer takes a NUL for the end of the
// input). About four times cheaper than nlohmann's lexer
// and SAX builder for the small documents of every request (a client's
// create, a vendor's reply), which go through here. Returns a discarded
// value when the text is not a JSON document.
inline constexpr int kMaxJsonDepth = 512;

Json read_json(std::string_view text);

}  // namespace vgw
