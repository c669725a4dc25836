#include "upgrade_agent/net/error.hpp"

#include <string>

namespace ua::net {

core::ErrorKind error_kind(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::cancelled: return core::ErrorKind::cancelled;
    case FailureKind::timeout: return core::ErrorKind::timeout;
    case FailureKind::invalid_request: return core::ErrorKind::bad_input;
    case FailureKind::resolve:
    case FailureKind::connect:
    case FailureKind::tls:
    case FailureKind::connection:
    case FailureKind::protocol:
    case FailureKind::body_too_large:
    case FailureKind::too_many_redirects: return core::ErrorKind::unavailable;
  }
  return core::ErrorKind::unavailable;
}

core::Error to_error(const Failure& failure, std::string_view system) {
  // The client writes every message as "<operation>: <reason>"; the Error
  // keeps the two apart so describe() does not say the operation twice.
  std::string_view reason = failure.message;
  const std::string prefix = failure.operation + ": ";
  if (!failure.operation.empty() && reason.substr(0, prefix.size()) == prefix) reason.remove_prefix(prefix.size());
  return core::make_error(error_kind(failure.kind), std::string(reason), std::string(system), failure.operation);
}

}  // namespace ua::net
