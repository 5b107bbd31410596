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
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& key(std::string_view name);  // written as is: plain ASCII
  JsonWriter& string(std::string_view value);
  JsonWriter& number(int64_t value);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // already valid JSON text

 private:
  void comma();
  std::string& out_;
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
