#include "store/resp_codec.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace vgw {
namespace {

constexpr size_t kMaxLine = 64 * 1024;  // a simple string, error or length
constexpr size_t kMaxElements = 1024;
constexpr int kMaxDepth = 8;

// A RESP length: "-1" (nil) or a decimal without sign or leading zeros.
// -2: not a length.
int64_t parse_length(std::string_view s, int64_t max) {
  if (s == "-1") return -1;
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return -2;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -2;
    n = n * 10 + (c - '0');
  }
  return n > max ? -2 : n;
}

bool is_ok(const RespValue& v) {
  return v.type == RespValue::Type::simple && v.text == "OK";
}

bool starts_with_text(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void append_resp_command(std::string& out,
                         std::initializer_list<std::string_view> args) {
  out.append(1, '*').append(std::to_string(args.size())).append("\r\n");
  for (std::string_view a : args) {
    out.append(1, '$').append(std::to_string(a.size())).append("\r\n");
    out.append(a).append("\r\n");
  }
}

size_t session_replies(const RespSession& session) {
  return (session.password.empty() ? 0 : 1) + (session.database != 0 ? 1 : 0);
}

size_t write_store_request(const StoreCommand& command,
                           const RespSession* new_connection,
                           std::string& out) {
  size_t replies = 0;
  if (new_connection) {
    const RespSession& s = *new_connection;
    if (!s.password.empty()) {
      if (s.username.empty()) {
        append_resp_command(out, {"AUTH", s.password});
      } else {
        append_resp_command(out, {"AUTH", s.username, s.password});
      }
    }
    if (s.database != 0) {
      append_resp_command(out, {"SELECT", std::to_string(s.database)});
    }
    replies += session_replies(s);
  }
  std::string ttl =
      command.ttl_seconds > 0 ? std::to_string(command.ttl_seconds) : "";
  switch (command.op) {
    case StoreCommand::Op::get:
      append_resp_command(out, {"GET", command.key});
      return replies + 1;
    case StoreCommand::Op::del:
      append_resp_command(out, {"DEL", command.key});
      return replies + 1;
    case StoreCommand::Op::set:
      if (ttl.empty()) {
        if (command.only_if_absent) {
          append_resp_command(out, {"SET", command.key, command.value, "NX"});
        } else {
          append_resp_command(out, {"SET", command.key, command.value});
        }
      } else if (command.only_if_absent) {
        append_resp_command(
            out, {"SET", command.key, command.value, "EX", ttl, "NX"});
      } else {
        append_resp_command(out,
                            {"SET", command.key, command.value, "EX", ttl});
      }
      return replies + 1;
    case StoreCommand::Op::incr:
      if (ttl.empty()) {
        append_resp_command(out, {"INCRBY", command.key, command.value});
        return replies + 1;
      }
      // INCRBY keeps an existing key's expiry and gives a new key none: the
      // expiry comes from creating the key first, only if it is absent.
      append_resp_command(out, {"SET", command.key, "0", "EX", ttl, "NX"});
      append_resp_command(out, {"INCRBY", command.key, command.value});
      return replies + 2;
  }
  return replies;
}

RespReplyReader::RespReplyReader(size_t expected_replies, size_t max_bulk_bytes)
    : expected_(expected_replies), max_bulk_(max_bulk_bytes) {}

size_t RespReplyReader::parse(size_t at, int depth, RespValue& out) {
  if (at >= pending_.size()) return 0;
  // A line ends at its first CR, which LF must follow; a bare LF or CR
  // is no RESP.
  size_t eol = pending_.find_first_of("\r\n", at + 1);
  if (eol == std::string::npos ||
      (pending_[eol] == '\r' && eol + 1 == pending_.size())) {
    if (pending_.size() - at > kMaxLine) failed_ = true;
    return 0;
  }
  if (pending_[eol] != '\r' || pending_[eol + 1] != '\n') {
    failed_ = true;
    return 0;
  }
  std::string_view line(pending_.data() + at + 1, eol - at - 1);
  size_t head = eol + 2 - at;
  switch (pending_[at]) {
    case '+':
    case '-':
      out.type = pending_[at] == '+' ? RespValue::Type::simple
                                     : RespValue::Type::error;
      out.text.assign(line);
      return head;
    case ':': {
      auto n = line.empty() || line[0] == '+' ? std::nullopt : parse_int(line);
      if (!n) {
        failed_ = true;
        return 0;
      }
      out.type = RespValue::Type::integer;
      out.integer = *n;
      return head;
    }
    case '$': {
      int64_t len = parse_length(line, static_cast<int64_t>(max_bulk_));
      if (len == -2) {
        failed_ = true;
        return 0;
      }
      if (len == -1) {
        out.type = RespValue::Type::nil;
        return head;
      }
      size_t n = static_cast<size_t>(len);
      if (pending_.size() - (eol + 2) < n + 2) return 0;
      if (pending_.compare(eol + 2 + n, 2, "\r\n") != 0) {
        failed_ = true;
        return 0;
      }
      out.type = RespValue::Type::bulk;
      out.text.assign(pending_, eol + 2, n);
      return head + n + 2;
    }
    case '*': {
      int64_t count = parse_length(line, kMaxElements);
      if (count == -2 || depth >= kMaxDepth) {
        failed_ = true;
        return 0;
      }
      if (count == -1) {
        out.type = RespValue::Type::nil;
        return head;
      }
      out.type = RespValue::Type::array;
      out.elements.clear();
      size_t used = head;
      for (int64_t i = 0; i < count; ++i) {
        RespValue element;
        size_t n = parse(at + used, depth + 1, element);
        if (n == 0) return 0;
        out.elements.push_back(std::move(element));
        used += n;
      }
      return used;
    }
    default:
      failed_ = true;
      return 0;
  }
}

size_t RespReplyReader::feed(std::string_view bytes) {
  if (done()) return 0;
  pending_.append(bytes);
  size_t pos = 0;
  while (replies_.size() < expected_) {
    RespValue value;
    size_t n = parse(pos, 0, value);
    if (failed_) {
      pending_.clear();
      return bytes.size();
    }
    if (n == 0) break;
    replies_.push_back(std::move(value));
    pos += n;
  }
  size_t left = pending_.size() - pos;
  if (replies_.size() == expected_) {
    pending_.clear();
    return bytes.size() - std::min(left, bytes.size());
  }
  pending_.erase(0, pos);
  // What an unfinished reply may hold: one bulk at the limit, or a full
  // array of long lines.
  if (pending_.size() > max_bulk_ + kMaxLine + 64) {
    failed_ = true;
    pending_.clear();
  }
  return bytes.size();
}

void RespReplyReader::end_of_input() {
  if (!done()) failed_ = true;
  pending_.clear();
}

StoreReply store_reply_from(const StoreCommand& command,
                            const RespReplyReader& reader, size_t skip) {
  StoreReply reply;
  const auto& replies = reader.replies();
  bool pipelined =
      command.op == StoreCommand::Op::incr && command.ttl_seconds > 0;
  if (!reader.done() || reader.failed() ||
      replies.size() != skip + (pipelined ? 2 : 1)) {
    return reply;
  }
  for (size_t i = 0; i < skip; ++i) {
    if (!is_ok(replies[i])) return reply;
  }
  using Type = RespValue::Type;
  const RespValue& v = replies.back();
  switch (command.op) {
    case StoreCommand::Op::get:
      if (v.type == Type::bulk) {
        reply.ok = true;
        reply.value = v.text;
      } else if (v.type == Type::nil) {
        reply.ok = true;
      }
      return reply;
    case StoreCommand::Op::set:
      if (is_ok(v)) {
        reply.ok = reply.done = true;
      } else if (v.type == Type::nil) {
        reply.ok = true;  // NX, and the key was there
      }
      return reply;
    case StoreCommand::Op::del:
      if (v.type == Type::integer) {
        reply.ok = true;
        reply.done = v.integer > 0;
      }
      return reply;
    case StoreCommand::Op::incr: {
      if (!parse_int(command.value)) return reply;
      if (pipelined) {
        const RespValue& created = replies[skip];
        if (!is_ok(created) && created.type != Type::nil) return reply;
      }
      if (v.type == Type::integer) {
        reply.ok = reply.done = true;
        reply.value = std::to_string(v.integer);
      } else if (v.type == Type::error &&
                 (starts_with_text(v.text, "ERR value is not an integer") ||
                  starts_with_text(v.text, "WRONGTYPE"))) {
        reply.ok = true;  // not a number there: nothing changed
      }
      return reply;
    }
  }
  return reply;
}

}  // namespace vgw
