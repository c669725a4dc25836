#pragma once
#include <string>
#include <vector>

namespace ua::config {

// One finding of `config check`: where (a JSON path such as
// `$.db_backed_services.immich.shared`, or a variable name) and what.
struct Problem {
  enum class Severity { warning, error };
  Severity severity = Severity::error;
  std::string where;
  std::string message;
};

inline bool has_errors(const std::vector<Problem>& problems) {
  for (const auto& p : problems) {
    if (p.severity == Problem::Severity::error) return true;
  }
  return false;
}

}  // namespace ua::config
