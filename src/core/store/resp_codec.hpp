#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_command.hpp"

namespace vgw {

// Redis's wire format (RESP2) for the store's commands: requests written
// as arrays of bulk strings, replies read incrementally with bounded
// memory, and the replies mapped to what the embedded store would answer.

void append_resp_command(std::string& out,
                         std::initializer_list<std::string_view> args);

// What a new connection is told before its first command.
struct RespSession {
  std::string username;  // ACL user; empty: the default user
  std::string password;  // empty: no AUTH
  int database = 0;      // 0: no SELECT
};

// Appends the request for `command`, after AUTH / SELECT when
// `new_connection` is given; answers how many replies Redis will send.
size_t write_store_request(const StoreCommand& command,
                           const RespSession* new_connection, std::string& out);
// How many of those replies answer the session's AUTH / SELECT.
size_t session_replies(const RespSession& session);

struct RespValue {
  enum class Type { simple, error, integer, bulk, nil, array };
  Type type = Type::nil;
  std::string text;  // simple, error, bulk
  int64_t integer = 0;
  std::vector<RespValue> elements;
};

class RespReplyReader {
 public:
  RespReplyReader(size_t expected_replies, size_t max_bulk_bytes);
  // The bytes used: all of them until the expected replies are read.
  size_t feed(std::string_view bytes);
  void end_of_input();
  bool done() const { return failed_ || replies_.size() == expected_; }
  bool failed() const { return failed_; }
  // Read whole, nothing left over: the connection may be kept.
  bool reusable() const { return !failed_ && replies_.size() == expected_; }
  const std::vector<RespValue>& replies() const { return replies_; }

 private:
  // One reply parsed from the front of pending_: its length, 0 when more
  // bytes are needed; failed_ when it cannot be a reply.
  size_t parse(size_t at, int depth, RespValue& out);
  size_t expected_;
  size_t max_bulk_;
  std::string pending_;
  std::vector<RespValue> replies_;
  bool failed_ = false;
};

// The store's answer to `command` from the reader's replies, the first
// `skip` of which answer the session (each must be +OK).
StoreReply store_reply_from(const StoreCommand& command,
                            const RespReplyReader& reader, size_t skip);

}  // namespace vgw
