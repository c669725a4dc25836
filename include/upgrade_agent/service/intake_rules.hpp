#pragma once
// The intake's decisions that need no I/O: the bearer token, the content
// type, which body form a route takes, DIUN's status filter, and the policy
// refusals that the request alone decides. Kept apart from the routes so the
// fuzz target (test/fuzz/webhook_fuzz.cpp) reaches all of it without Asio.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/request/request.hpp"

namespace ua::service {

// Equal strings, in a time that depends on the expected token's length only
// (never on where the first difference is).
bool token_matches(std::string_view presented, std::string_view expected) noexcept;

// `Authorization: Bearer <token>` (scheme case-insensitive, RFC 9110 11.1).
// An empty expected token means the server runs with --insecure-no-auth.
bool authorized(const std::optional<std::string>& authorization, std::string_view token) noexcept;

// Which intake a body came to.
enum class Route {
  diun,  // /webhook/diun: DIUN's native body or the relayed diun_entry_* form
  api,   // POST /v1/upgrades: the agent's flat form
};

struct IntakeInput {
  Route route = Route::diun;
  std::optional<std::string> content_type;  // as sent
  std::string_view body;
};

struct IntakeRules {
  std::vector<std::string> diun_statuses{"new", "update"};
  std::vector<std::string> skip_image_patterns;  // upgrade-config.json's skip_image_patterns
};

struct IntakeDecision {
  enum class Kind {
    invalid,  // answer `status` (400, 415) with `reason`; nothing recorded
    ignored,  // a DIUN status not acted on: answer 200 with `reason`
    refused,  // a policy rule said no: record it, answer 200 with `reason`
    admit,    // hand `request` to the journal
  };
  Kind kind = Kind::invalid;
  int status = 400;
  std::string reason;
  std::optional<request::UpgradeRequest> request;  // every kind but invalid
};

// The content type, the body's form for the route, the status filter and the
// request-only policy rules (skip patterns; a target tag that is `latest` or
// names no version), in that order.
IntakeDecision read_intake(const IntakeInput& input, const IntakeRules& rules);

}  // namespace ua::service
