#pragma once
// Steps 2 and 3: which source repository an image comes from, and its release
// notes between two versions. A repository or changelog that cannot be had is
// a result (missing, with the reason: the risk is then UNKNOWN), not a
// failure; the only errors are `cancelled` (the caller cancelled) and
// `internal` (a bug of ours), so that a cancellation stays one all the way up.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace ua::ports {

enum class RepoSource { none, override_config, auto_detect, suffix_stripped };

inline std::string_view to_string(RepoSource source) {
  switch (source) {
    case RepoSource::none: return "none";
    case RepoSource::override_config: return "github_repo_overrides";
    case RepoSource::auto_detect: return "auto-detect";
    case RepoSource::suffix_stripped: return "auto-detect, suffix stripped";
  }
  return "none";
}

struct RepoResolution {
  std::optional<std::string> repo;  // "owner/name" as the host spells it now (after a rename)
  RepoSource source = RepoSource::none;
  std::string how;                  // for people: "github_repo_overrides: x -> o/r", "auto-detected (ghcr.io/ORG/REPO)", ...
  std::vector<std::string> tried;   // every lookup and its answer: "o/r-server: 404 Not Found"
  std::string reason;               // without a repo: why (the risk then is UNKNOWN)
  std::size_t requests = 0;         // API requests this answer took
};

struct ChangelogResult {
  std::optional<core::Changelog> changelog;  // nullopt: none could be had (missing_reason says why)
  std::string missing_reason;
  std::vector<std::string> gaps;             // what is known to be missing from a changelog that exists
  std::size_t releases_read = 0;             // every release object seen, drafts included
  std::size_t pages_read = 0;
  std::size_t requests = 0;                  // API requests this answer took
};

class ChangelogSource {
 public:
  virtual ~ChangelogSource() = default;

  // `override_repo`: the config's github_repo_overrides entry for the image,
  // tried first; then the auto-detect rule (core::guess_github_repo).
  virtual boost::asio::awaitable<core::Expected<RepoResolution>> resolve_repo(core::ImageRef image,
                                                                              std::optional<std::string> override_repo,
                                                                              core::Deadline deadline) = 0;

  // The releases strictly after `current` up to and including `target`.
  virtual boost::asio::awaitable<core::Expected<ChangelogResult>> changelog(std::string repo, core::Tag current,
                                                                            core::Tag target,
                                                                            core::Deadline deadline) = 0;
};

}  // namespace ua::ports
