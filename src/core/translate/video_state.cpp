#include "translate/video_state.hpp"

#include "translate/status_query.hpp"
#include "translate/vendor_data.hpp"

#include <cmath>
#include <ctime>

#include "util/strings.hpp"
#include "util/json_reader.hpp"

namespace vgw {
namespace {

// Year 5138: no vendor timestamp is later; beyond it a double no longer
// converts to int64 safely.
constexpr double kLatestTime = 1e11;
// A prompt the vendor echoes: OpenAI's 32000 characters, in UTF-8.
constexpr size_t kMaxPromptBytes = 4 * 32000;

std::optional<int64_t> parse_iso8601(const std::string& s) {
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  if (*rest == '.') {
    ++rest;
    while (*rest >= '0' && *rest <= '9') ++rest;
  }
  int64_t offset = 0;
  if (*rest == '+' || *rest == '-') {
    int sign = *rest == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) < 1) return std::nullopt;
    offset = sign * (hh * 3600 + mm * 60);
  }
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

int estimate_progress(int64_t elapsed, uint32_t estimate_seconds) {
  if (elapsed <= 0) return 1;
  double p = 95.0 * (1.0 - std::exp(-static_cast<double>(elapsed) /
                                    static_cast<double>(estimate_seconds)));
  return std::max(1, std::min(95, static_cast<int>(p)));
}

}  // namespace

std::optional<int64_t> read_time(const TimeRule& rule,
                                 const JsonDocument& reply) {
  const Json* v = rule.from.find(reply);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (rule.unit == TimeUnit::iso8601) {
    if (!v->is_string()) return std::nullopt;
    return parse_iso8601(v->get<std::string>());
  }
  auto n = json_number(*v);
  if (!n || !(*n > 0)) return std::nullopt;
  double seconds = rule.unit == TimeUnit::milliseconds ? *n / 1000.0 : *n;
  // Out-of-range values (1e300, NaN) read as missing, not as a time.
  if (!(seconds < kLatestTime)) return std::nullopt;
  return static_cast<int64_t>(seconds);
}

VideoView read_video_state(const Vendor& vendor, const JsonDocument& reply,
                           const VideoRecord& record, int64_t now) {
  const RetrieveRule& rules = vendor.rules().retrieve;
  VideoView v;
  v.model = record.model;
  v.size = record.size;
  v.seconds = record.seconds;
  v.created_at = record.created_at;
  v.status = VideoStatus::in_progress;
  bool recognised = false;
  if (auto matched = matched_status(vendor, reply)) {
    v.status = *matched;
    recognised = true;
  } else if (auto raw = rules.status.from.find_text(reply)) {
    auto it = rules.status.map.find(to_lower(*raw));
    if (it != rules.status.map.end()) {
      v.status = it->second;
      recognised = true;
    }
  }
  bool stuck = !recognised &&
               now - record.created_at > int64_t{rules.unknown_status_timeout};
  if (stuck) v.status = VideoStatus::failed;

  std::optional<int> vendor_progress;
  if (rules.progress) {
    if (const Json* p = rules.progress->find(reply)) {
      if (auto n = json_number(*p); n && *n >= 0) {
        vendor_progress = static_cast<int>(std::lround(std::min(*n, 100.0)));
      }
    }
  }
  switch (v.status) {
    case VideoStatus::queued:
      v.progress = vendor_progress.value_or(0);
      break;
    case VideoStatus::in_progress:
      v.progress = vendor_progress ? std::min(99, *vendor_progress)
                                   : estimate_progress(now - record.created_at,
                                                       rules.estimate_seconds);
      break;
    case VideoStatus::completed:
      v.progress = 100;
      break;
    case VideoStatus::failed:
      v.progress = vendor_progress.value_or(0);
      break;
  }

  if (rules.quality) {
    if (const Json* q = rules.quality->find(reply); q && q->is_string()) {
      v.quality =
          client_safe_text(vendor, q->get_ref<const std::string&>(), 64);
    }
  }
  const std::string echo = kEchoPrefix;
  for (const auto& [key, value] : record.carried) {
    if (key.compare(0, echo.size(), echo) != 0) continue;
    Json parsed = read_json(value);
    if (!parsed.is_discarded()) v.metadata[key.substr(echo.size())] = parsed;
  }

  if (rules.prompt) {
    if (const Json* p = rules.prompt->find(reply); p && p->is_string()) {
      v.prompt = client_safe_text(vendor, p->get_ref<const std::string&>(),
                                  kMaxPromptBytes);
    }
  }

  if (v.status == VideoStatus::completed) {
    if (rules.completed_at)
      v.completed_at = read_time(*rules.completed_at, reply);
    if (rules.expires_at) v.expires_at = read_time(*rules.expires_at, reply);
    if (!v.expires_at && rules.expires_after && v.completed_at) {
      v.expires_at = *v.completed_at + *rules.expires_after;
    }
  }

  if (v.status == VideoStatus::failed) {
    VideoFailure failure{
        "video_generation_failed",
        "The vendor reported that the video generation failed."};
    if (stuck) {
      failure = {"vendor_status_unknown",
                 "The vendor has not reported a known status for this video "
                 "within " +
                     std::to_string(rules.unknown_status_timeout) +
                     " seconds."};
    }
    if (rules.error_code) {
      if (const Json* c = rules.error_code->find(reply); c && !c->is_null()) {
        std::string code = json_text(*c);
        if (!code.empty()) failure.code = client_safe_text(vendor, code, 100);
      }
    }
    if (rules.error_message) {
      if (const Json* m = rules.error_message->find(reply);
          m && !m->is_null()) {
        std::string message = json_text(*m);
        if (!message.empty())
          failure.message = client_safe_text(vendor, message);
      }
    }
    v.error = std::move(failure);
  }
  return v;
}

}  // namespace vgw
