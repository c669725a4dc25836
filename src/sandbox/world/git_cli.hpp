#pragma once
// The sandbox's own git work (making the sample repository's history, the CI
// runner's clone and its state commits) done with the real `git` command, as
// a CI runner does it: no shell, a private environment that ignores the
// user's and the system's git configuration. Blocking; the sandbox calls it
// on its own thread, never on the agent's.
#include <filesystem>
#include <string>
#include <vector>

#include "upgrade_agent/core/expected.hpp"

namespace ua::sandbox {

class GitCli {
 public:
  // `home` is where git may look for a configuration (kept empty).
  explicit GitCli(std::filesystem::path home);

  // `git -C dir args...`: stdout, or an error with the command and stderr.
  core::Expected<std::string> run(const std::filesystem::path& dir, const std::vector<std::string>& args) const;

 private:
  std::filesystem::path home_;
  std::filesystem::path git_;
};

}  // namespace ua::sandbox
