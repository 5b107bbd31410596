#include "api/video_upload.hpp"

#include <cstdint>

namespace vgw {
namespace {

uint64_t big_endian(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  }
  return v;
}

// The payload of the first box of `type` among the boxes that fill
// `bytes` (ISO/IEC 14496-12 4.2: 32-bit size, or 1 and a 64-bit size, or 0
// for "to the end").
std::optional<std::string_view> find_box(std::string_view bytes,
                                         std::string_view type) {
  size_t at = 0;
  while (bytes.size() - at >= 8) {
    uint64_t size = big_endian(bytes, at, 4);
    size_t header = 8;
    if (size == 1) {
      if (bytes.size() - at < 16) return std::nullopt;
      size = big_endian(bytes, at + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = bytes.size() - at;
    }
    if (size < header || size > bytes.size() - at) return std::nullopt;
    if (bytes.substr(at + 4, 4) == type) {
      return bytes.substr(at + header, size - header);
    }
    at += size;
  }
  return std::nullopt;
}

}  // namespace

std::string sniff_video_type(std::string_view b) {
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") {
    return b.substr(8, 4) == "qt  " ? "video/quicktime" : "video/mp4";
  }
  if (b.size() >= 4 &&
      b.substr(0, 4) == std::string_view("\x1a\x45\xdf\xa3", 4)) {
    return "video/webm";
  }
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "AVI ") {
    return "video/x-msvideo";
  }
  return "";
}

std::optional<double> mp4_duration_seconds(std::string_view bytes) {
  auto moov = find_box(bytes, "moov");
  if (!moov) return std::nullopt;
  auto mvhd = find_box(*moov, "mvhd");
  if (!mvhd || mvhd->empty()) return std::nullopt;
  // version 0: created, modified (32 bits), timescale, duration (32);
  // version 1: created, modified (64 bits), timescale (32), duration (64).
  bool wide = (*mvhd)[0] == 1;
  size_t timescale_at = wide ? 20 : 12;
  size_t duration_bytes = wide ? 8 : 4;
  if (mvhd->size() < timescale_at + 4 + duration_bytes) return std::nullopt;
  uint64_t timescale = big_endian(*mvhd, timescale_at, 4);
  uint64_t duration = big_endian(*mvhd, timescale_at + 4, duration_bytes);
  uint64_t unknown = wide ? UINT64_MAX : UINT32_MAX;
  if (timescale == 0 || duration == unknown) return std::nullopt;
  return static_cast<double>(duration) / static_cast<double>(timescale);
}

}  // namespace vgw
