#pragma once
// Registry credentials from a Docker config.json, the format of Kubernetes
// pull secrets and of every registry tool:
//   {"auths": {"ghcr.io": {"auth": "<base64 user:password>"},
//              "https://index.docker.io/v1/": {"username": "u", "password": "p"}}}
// Keys may carry a scheme and a path; Docker Hub's is https://index.docker.io/v1/.
// Values never appear in an error.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::adapters::registry {

struct Credential {
  std::string username;
  config::Secret password;
};

class Credentials {
 public:
  // `registry` as in an image reference or a URL authority: "ghcr.io",
  // "127.0.0.1:5000", "docker.io" (also found as registry-1.docker.io).
  [[nodiscard]] const Credential* find(std::string_view registry) const;
  void add(std::string_view key, Credential credential);
  [[nodiscard]] bool empty() const { return by_registry_.empty(); }
  [[nodiscard]] std::size_t size() const { return by_registry_.size(); }

 private:
  std::map<std::string, Credential> by_registry_;
};

// "https://index.docker.io/v1/" -> "docker.io", "https://ghcr.io" -> "ghcr.io",
// "Registry.Example:5000/path" -> "registry.example:5000".
std::string registry_key(std::string_view key);

// `where` names the file in errors ("config.json:$.auths.ghcr.io.auth").
// Entries with neither auth nor username/password (identitytoken only, or a
// credsStore helper) are skipped: no helper program is ever run.
core::Expected<Credentials> parse_docker_config(std::string_view json_text, std::string_view where);

// Reads and parses the file (blocking: call at start-up or on the blocking pool).
core::Expected<Credentials> load_docker_config(const std::filesystem::path& file);

}  // namespace ua::adapters::registry
