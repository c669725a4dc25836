#include "upgrade_agent/core/error.hpp"

#include <ostream>

namespace ua::core {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::bad_input: return "bad_input";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::refused: return "refused";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::critical: return "critical";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

std::ostream& operator<<(std::ostream& os, ErrorKind kind) { return os << to_string(kind); }

std::string Error::describe() const {
  std::string out;
  for (const std::string* part : {&system, &operation}) {
    if (part->empty()) continue;
    out += *part;
    out += ": ";
  }
  out += message;
  return out;
}

Error make_error(std::string message) { return Error{ErrorKind::bad_input, std::move(message), {}, {}}; }

Error make_error(ErrorKind kind, std::string message, std::string system, std::string operation) {
  return Error{kind, std::move(message), std::move(system), std::move(operation)};
}

}  // namespace ua::core
