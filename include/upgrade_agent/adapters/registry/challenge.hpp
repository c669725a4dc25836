#pragma once
// WWW-Authenticate (RFC 9110 11.6.1) as registries send it: several
// challenges in one field ("Basic realm=\"x\", Bearer realm=\"y\",service=\"z\""),
// several fields, quoted or bare values (gcr.io: service=gcr.io), commas
// inside quoted values (scope="repository:a:pull,push").
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ua::adapters::registry {

struct Challenge {
  std::string scheme;                         // lower-case: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lower-case, values unquoted

  [[nodiscard]] std::optional<std::string> param(std::string_view name) const;
};

// Every challenge of every field, in order. Malformed text ends the field's
// parse; what was read before it is kept.
std::vector<Challenge> parse_challenges(const std::vector<std::string>& fields);

// The first challenge of `scheme` ("bearer"), if any.
const Challenge* find_challenge(const std::vector<Challenge>& challenges, std::string_view scheme);

}  // namespace ua::adapters::registry
