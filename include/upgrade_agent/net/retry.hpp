#pragma once
// When to try again: Retry-After, rate-limit reset headers, backoff with jitter.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "upgrade_agent/net/http.hpp"

namespace ua::net {

// RFC 9110 10.2.3: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 and
// asctime forms), as a wait from `now`. A date in the past is a zero wait.
std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// `x-ratelimit-reset: <epoch seconds>` as a wait from `now`.
std::optional<Duration> parse_ratelimit_reset(std::string_view value, std::chrono::system_clock::time_point now);

// The wait before retry number `retry` (1 for the first retry): exponential
// from `initial`, capped at `max`, with "equal jitter" (between half and all
// of it) drawn from `random` so that many clients do not retry in step.
Duration backoff_delay(unsigned retry, Duration initial, Duration max, std::uint64_t random);

// 500, 502, 503, 504 and 429: worth another try of an idempotent request.
bool retryable_status(int status) noexcept;

}  // namespace ua::net
