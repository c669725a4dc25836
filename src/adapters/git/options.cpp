#include "upgrade_agent/adapters/git/options.hpp"

namespace ua::adapters::git {

core::Expected<GitOptions> options_from_settings(const config::Settings& settings,
                                                 const config::Environment& env) {
  GitOptions options;
  options.repo = settings.repo;
  options.remote = settings.git_remote;
  options.branch = settings.git_branch;
  options.https_token = settings.github_token;

  auto author = parse_identity(settings.git_author);
  if (!author) return core::make_error("UPGRADE_AGENT_GIT_AUTHOR: " + author.error().message);
  options.author = *author;
  options.committer = *author;
  Identity committer = *author;
  if (auto name = env("GIT_COMMITTER_NAME"); name && !name->empty()) committer.name = *name;
  if (auto email = env("GIT_COMMITTER_EMAIL"); email && !email->empty()) committer.email = *email;
  auto valid = validate_identity(committer);
  if (!valid) return core::make_error("GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL: " + valid.error().message);
  options.committer = *valid;

  options.ssh_private_key = settings.git_ssh_key;  // checked to exist when the settings were loaded
  options.ssh_passphrase = settings.git_ssh_passphrase;
  return options;
}

}  // namespace ua::adapters::git
