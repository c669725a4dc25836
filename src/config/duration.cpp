#include "upgrade_agent/config/duration.hpp"

#include <cstdint>

namespace ua::config {

core::Expected<Duration> parse_duration(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return core::make_error("invalid duration '" + std::string(text.substr(0, 40)) + "': " + why +
                            " (write e.g. 500ms, 30s, 15m, 2h, 1h30m)");
  };
  if (text.empty()) return bad("it is empty");
  constexpr std::int64_t kMaxMs = std::int64_t{366} * 24 * 3600 * 1000;  // a year is plenty for any wait here
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > kMaxMs) return bad("it is too long");
      ++i;
    }
    if (i == start) return bad("expected a number");
    const std::size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit.empty()) {
      return bad("a number needs a unit");
    } else {
      return bad("unknown unit '" + std::string(unit.substr(0, 10)) + "'");
    }
    total += n * scale;
    if (total > kMaxMs) return bad("it is too long");
  }
  return Duration(total);
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const auto part = [&](std::int64_t unit, const char* suffix) {
    if (ms >= unit) {
      out += std::to_string(ms / unit) + suffix;
      ms %= unit;
    }
  };
  part(3'600'000, "h");
  part(60'000, "m");
  part(1000, "s");
  part(1, "ms");
  return out;
}

}  // namespace ua::config
