#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"

namespace ua::config {

using Duration = std::chrono::milliseconds;

// "500ms", "30s", "15m", "2h", and sums such as "1h30m". A bare number is an
// error: "30" could be seconds or minutes.
core::Expected<Duration> parse_duration(std::string_view text);

// The shortest exact spelling: 90000ms -> "1m30s".
std::string format_duration(Duration d);

}  // namespace ua::config
