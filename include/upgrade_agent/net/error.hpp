#pragma once
// net's failures as the agent's one error type, at the module's edge. The
// kind decides: a cancellation stays cancelled, a deadline stays a timeout, a
// request we built wrong is bad input, and everything else (DNS, connect,
// TLS, a broken or non-HTTP answer, too large, redirect loops) is the outside
// system being unavailable.
#include <string_view>

#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/net/http.hpp"

namespace ua::net {

core::ErrorKind error_kind(FailureKind kind) noexcept;

// `system` names the outside system ("github", "helm", "slack"); the
// operation is the failure's ("GET https://host/path", never the query), and
// the message is the reason without it.
core::Error to_error(const Failure& failure, std::string_view system);

}  // namespace ua::net
