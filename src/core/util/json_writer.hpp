#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/json.hpp"

namespace vgw {

// Writes JSON text directly, for the replies the gateway sends on every
// request (a Video, an error): an nlohmann document of a dozen keys costs
// tens of thousands of instructions to build, look up and dump; this costs
// the bytes. Strings are escaped as nlohmann does, and malformed UTF-8 is
// replaced with U+FFFD (its error_handler_t::replace).
class JsonWriter {
 public:
  // Appends to `out`, which is sized once for `expected_size` more bytes
  // (more is fine: it grows) and written through a cursor, not an append
  // per piece. The text is complete after finish().
  explicit JsonWriter(std::string& out, size_t expected_size = 256);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& key(std::string_view name);  // written as is: plain ASCII
  JsonWriter& string(std::string_view value);
  JsonWriter& number(int64_t value);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // already valid JSON text
  void finish();                           // trims `out` to what was written

 private:
  char* room(size_t n);        // where the next n bytes go
  char* value_room(size_t n);  // the same after a comma, where one is due
  void advance_to(const char* end);
  std::string& out_;
  size_t used_;  // bytes of out_ that are text
  bool first_ = true;
};

// Appends `value` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view value);

// Appends a document exactly as `v.dump(-1, ' ', false,
// error_handler_t::replace)` writes it (the json_reader fuzzer holds the
// two to that), for the vendor bodies written on every create, at a
// fraction of nlohmann's serializer's cost.
void append_json(std::string& out, const Json& v);

}  // namespace vgw
