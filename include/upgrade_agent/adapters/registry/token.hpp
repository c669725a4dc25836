#pragma once
// A token service's answer (distribution's token spec): `token` or
// `access_token`, `expires_in` (default 60, and never less), `issued_at`.
#include <chrono>
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"

namespace ua::adapters::registry {

inline constexpr std::chrono::seconds kMinTokenLifetime(60);

struct TokenAnswer {
  std::string token;
  std::chrono::system_clock::time_point expires;  // issued_at (or now) + max(expires_in, 60 s)
};

// `now` stands in for a missing issued_at and bounds one from the future
// (a token service whose clock runs ahead must not make a token live longer).
core::Expected<TokenAnswer> parse_token_answer(std::string_view body, std::chrono::system_clock::time_point now);

// RFC 3339 ("2026-04-20T08:12:44Z", "2026-04-20T08:12:44.123+02:00").
core::Expected<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace ua::adapters::registry
