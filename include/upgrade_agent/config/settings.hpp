#pragma once
// The agent's settings (DESIGN.md, Settings): a JSON file of non-secret keys,
// each overridable by its environment variable; secrets from the environment only.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/duration.hpp"
#include "upgrade_agent/config/problem.hpp"
#include "upgrade_agent/core/step_mode.hpp"

namespace ua::config {

// A secret value that never prints itself.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  [[nodiscard]] std::string redacted() const { return value_.empty() ? "(empty)" : "***"; }

 private:
  std::string value_;
};

struct ConnectTo {  // curl --connect-to host:port:target_host:target_port
  std::string host;  // empty: any host
  std::uint16_t port = 0;  // 0: any port
  std::string target_host;  // empty: the original host
  std::uint16_t target_port = 0;  // 0: the original port
};

// Where a registry is reached instead of its own host (a pull-through mirror,
// the sandbox's simulator): `registry` as images name it ("docker.io",
// "ghcr.io", "*" for every registry), `origin` "https://host[:port]" or
// "http://..." (loopback or an insecure registry only).
struct RegistryEndpoint {
  std::string registry;
  std::string origin;
};

struct RateLimit {
  unsigned count = 5;
  Duration window = std::chrono::hours(6);
};

using StepMode = core::StepMode;  // one definition, in core

struct Settings {
  std::filesystem::path repo = ".";
  std::optional<std::filesystem::path> config;  // unset: <repo>/.claude/reference/upgrade-config.json
  std::filesystem::path state_dir = "./state";

  std::string github_api_url = "https://api.github.com";
  Secret github_token;
  std::string git_remote = "origin";
  std::string git_branch = "master";
  std::string git_author = "Service Upgrade Agent <noreply@viktorbarzin.me>";  // "Name <email>"
  std::optional<std::filesystem::path> git_ssh_key;  // unset: ssh-agent (SSH remotes only)
  Secret git_ssh_passphrase;

  std::string woodpecker_url;
  Secret woodpecker_api_token;
  std::string woodpecker_repo;  // "owner/name" or a numeric id
  std::string woodpecker_workflow = "default";

  Secret slack_webhook_url;  // the URL carries the credential
  std::optional<std::filesystem::path> kubeconfig;  // unset: in-cluster service account
  std::string uptime_kuma_url;  // empty: check skipped
  Secret uptime_kuma_api_key;
  Secret webhook_token;

  std::vector<ConnectTo> connect_to;
  std::string health_scheme = "https";

  // Docker config.json with registry credentials. Unset: $DOCKER_CONFIG/config.json,
  // else ~/.docker/config.json, when the file is there; else anonymous.
  std::optional<std::filesystem::path> registry_auth_file;
  std::vector<std::string> insecure_registries;  // host[:port], lower-case: plain http besides loopback
  // UPGRADE_AGENT_REGISTRY_ENDPOINTS "docker.io=https://mirror.lan,*=http://127.0.0.1:5000".
  std::vector<RegistryEndpoint> registry_endpoints;

  Duration ci_poll_interval = std::chrono::seconds(30);
  Duration ci_timeout = std::chrono::minutes(15);
  Duration verify_window_safe = std::chrono::minutes(2);
  Duration verify_window_caution = std::chrono::minutes(10);
  Duration check_interval = std::chrono::seconds(15);
  Duration backup_timeout = std::chrono::seconds(300);
  Duration ceiling = std::chrono::minutes(30);
  Duration follow_up_window = std::chrono::minutes(10);
  unsigned max_concurrency = 10;
  RateLimit rate_limit;
  StepMode step_mode = StepMode::stops;
  // Folders (relative to the repo) holding the Terraform: UPGRADE_AGENT_SEARCH_ROOTS, comma-separated.
  std::vector<std::string> search_roots{"stacks"};
  // Apply documented config renames from the release notes (else flag them): UPGRADE_AGENT_CONFIG_CHANGES on|off.
  bool config_changes = true;
  // DIUN statuses that start an upgrade; others are ignored: UPGRADE_AGENT_DIUN_STATUSES, comma-separated.
  std::vector<std::string> diun_statuses{"new", "update"};

  [[nodiscard]] std::filesystem::path config_path() const;
};

// Reads one environment variable; tests pass a map instead of the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

struct SettingsLoad {
  Settings settings;
  std::vector<Problem> problems;
};

// Defaults, then the file (if any), then the environment. Every bad value is a
// problem naming the key or variable; the loader never stops at the first.
SettingsLoad load_settings(const std::optional<std::filesystem::path>& file, const Environment& env);

// What a command needs before it may start: each missing secret or URL named
// (the seed's empty SLACK_WEBHOOK failed silently for days).
enum class Needs { plan, run, serve };
std::vector<Problem> missing_requirements(const Settings& settings, Needs needs);

core::Expected<std::vector<ConnectTo>> parse_connect_to(std::string_view text);
core::Expected<RateLimit> parse_rate_limit(std::string_view text);
// "registry.lan:5000,10.0.0.7": host[:port] entries, comma-separated.
core::Expected<std::vector<std::string>> parse_insecure_registries(std::string_view text);
// "docker.io=https://mirror.lan,*=http://127.0.0.1:5000": registry=origin
// entries, comma-separated; an origin is a scheme and an authority, no path.
core::Expected<std::vector<RegistryEndpoint>> parse_registry_endpoints(std::string_view text);
// "stacks, infra/live/" -> {"stacks", "infra/live"}: relative folders inside the
// repository (no absolute path, `..` or hidden folder), at least one.
core::Expected<std::vector<std::string>> parse_search_roots(std::string_view text);
// "new, update" -> {"new", "update"}: DIUN's statuses (new, update, unchange,
// skip, error), at least one; an unknown word is an error.
core::Expected<std::vector<std::string>> parse_diun_statuses(std::string_view text);

}  // namespace ua::config
