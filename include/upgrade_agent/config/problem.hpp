#pragma once
#include <string>
#include <vector>

#include "upgrade_agent/core/error.hpp"

namespace ua::config {

// One finding of `config check`: where (a JSON path such as
// `$.db_backed_services.immich.shared`, or a variable name) and what.
struct Problem {
  enum class Severity { warning, error };
  Severity severity = Severity::error;
  std::string where;
  std::string message;
  // What an error means to a program (config::to_error carries it onto
  // core::Error): bad_input, or not_found for a file that is not there.
  core::ErrorKind kind = core::ErrorKind::bad_input;
};

inline bool has_errors(const std::vector<Problem>& problems) {
  for (const auto& p : problems) {
    if (p.severity == Problem::Severity::error) return true;
  }
  return false;
}

}  // namespace ua::config
