#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "upgrade_agent/adapters/git/message.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::adapters::git {

struct GitOptions {
  std::filesystem::path repo = ".";  // UPGRADE_AGENT_REPO: a non-bare clone the agent owns
  std::string remote = "origin";     // GIT_REMOTE
  std::string branch = "master";     // GIT_BRANCH

  Identity author = default_identity();
  Identity committer = default_identity();

  // HTTPS: GITHUB_TOKEN, sent as the password of `https_user` to http(s)
  // remotes only, once per operation.
  config::Secret https_token;
  std::string https_user = "x-access-token";

  // SSH (when this libgit2 has it): a key file, else the ssh-agent.
  std::optional<std::filesystem::path> ssh_private_key;
  std::optional<std::filesystem::path> ssh_public_key;  // unset: `<private>.pub` if it exists
  config::Secret ssh_passphrase;

  // Longest a single fetch or push may take. libgit2 1.5 has no socket
  // timeouts (GIT_OPT_SET_SERVER_TIMEOUT arrived in 1.7): the deadline is
  // enforced from its progress callbacks, which run while data moves.
  std::chrono::milliseconds network_timeout = std::chrono::minutes(2);

  // Pushes per publish or revert, the first included (the seed's "up to 3").
  unsigned max_push_attempts = 3;
};

// From the agent's settings (repo, remote, branch, GITHUB_TOKEN, git_author as
// author and committer, git_ssh_key and its passphrase) and the environment:
// GIT_COMMITTER_NAME / GIT_COMMITTER_EMAIL (git's own variables) override the committer.
// An error names the bad setting or variable.
core::Expected<GitOptions> options_from_settings(const config::Settings& settings,
                                                 const config::Environment& env);

// Whether the linked libgit2 can speak SSH / HTTPS (git_libgit2_features).
bool libgit2_supports_ssh();
bool libgit2_supports_https();

}  // namespace ua::adapters::git
