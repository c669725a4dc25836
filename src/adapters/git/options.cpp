#include "upgrade_agent/adapters/git/options.hpp"

namespace ua::adapters::git {

namespace {

// An identity from a pair of git's variables; each half falls back on its own.
core::Expected<Identity> identity_from(const config::Environment& env, const char* name_var,
                                       const char* email_var) {
  Identity identity = default_identity();
  if (auto name = env(name_var); name && !name->empty()) identity.name = *name;
  if (auto email = env(email_var); email && !email->empty()) identity.email = *email;
  auto valid = validate_identity(identity);
  if (!valid) {
    return core::make_error(std::string(name_var) + "/" + email_var + ": " + valid.error().message);
  }
  return valid;
}

}  // namespace

core::Expected<GitOptions> options_from_settings(const config::Settings& settings,
                                                 const config::Environment& env) {
  GitOptions options;
  options.repo = settings.repo;
  options.remote = settings.git_remote;
  options.branch = settings.git_branch;
  options.https_token = settings.github_token;

  auto author = identity_from(env, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL");
  if (!author) return author.error();
  options.author = *author;
  auto committer = identity_from(env, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL");
  if (!committer) return committer.error();
  options.committer = *committer;

  if (auto key = env("UPGRADE_AGENT_GIT_SSH_KEY"); key && !key->empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*key, ec)) {
      return core::make_error("UPGRADE_AGENT_GIT_SSH_KEY: no such key file: " + *key);
    }
    options.ssh_private_key = std::filesystem::path(*key);
  }
  if (auto passphrase = env("UPGRADE_AGENT_GIT_SSH_PASSPHRASE"); passphrase && !passphrase->empty()) {
    options.ssh_passphrase = config::Secret(*passphrase);
  }
  return options;
}

}  // namespace ua::adapters::git
