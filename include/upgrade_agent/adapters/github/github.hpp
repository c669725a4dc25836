#pragma once
// Steps 2 and 3 of the seed against the GitHub REST API: which repository an
// image comes from, and the release notes between two versions. Nothing is
// ever invented: whatever cannot be had comes back as missing, with the reason.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/core/tag.hpp"
#include "upgrade_agent/net/client.hpp"

namespace ua::adapters::github {

struct Options {
  std::string api_url = "https://api.github.com";  // GITHUB_API_URL
  std::string token;                                // GITHUB_TOKEN; empty: anonymous (60 requests/hour)
  unsigned max_pages = 30;                          // 3000 releases at 100 a page
  unsigned max_rate_limit_waits = 2;                // waits for a reset within one call
};

Options options_from(const config::Settings& settings);

enum class RepoSource { none, override_config, auto_detect, suffix_stripped };
std::string_view to_string(RepoSource source);

struct RepoResolution {
  std::optional<std::string> repo;  // "owner/name" as GitHub spells it now (after a rename)
  RepoSource source = RepoSource::none;
  std::string how;                  // for people: "github_repo_overrides: x -> o/r", "auto-detected (ghcr.io/ORG/REPO)", ...
  std::vector<std::string> tried;   // every lookup and its answer: "o/r-server: 404 Not Found"
  std::string reason;               // without a repo: why (the risk then is UNKNOWN)
};

struct ChangelogResult {
  std::optional<core::Changelog> changelog;  // nullopt: none could be had (missing_reason says why)
  std::string missing_reason;
  std::vector<std::string> gaps;             // what is known to be missing from a changelog that exists
  std::size_t releases_read = 0;             // every release object seen, drafts included
  std::size_t pages_read = 0;
};

// The auto-detect rules of the seed (and the config's auto_detect_rules):
// ghcr.io/ORG/REPO, docker.io/ORG/REPO and bare ORG/REPO, quay.io/ORG/REPO,
// registry.gitlab.com/ORG/REPO -> ORG/REPO; lscr.io/linuxserver/APP ->
// linuxserver/docker-APP. An error says why there is no candidate
// (docker.io/library/x, an unknown registry).
core::Expected<std::string> auto_detect_repo(const core::ImageRef& image);

// "o/r-server" -> "o/r": the seed's -server, -backend, -app suffixes.
std::optional<std::string> strip_known_suffix(std::string_view repo);

// The rel="next" URL of a Link header (RFC 8288), if any.
std::optional<std::string> next_link(std::string_view link_header);

// Base64 as the contents API sends it (with embedded newlines).
core::Expected<std::string> decode_base64(std::string_view text);

// CHANGELOG.md split at version headings ("## 1.2.0", "## [1.2.0] - 2026-01-02",
// "## v1.2.0", "# 1.2.0 (2026-01-02)", "### [1.2.0](https://...)"); headings
// that are not versions ("## Unreleased") end the section before them and
// are skipped. Headings inside fenced code do not count. Oldest last, as written.
std::vector<core::ReleaseNote> split_changelog(std::string_view markdown, std::string_view url);

// The releases strictly after `current` and up to and including `target`,
// oldest first; pre-releases only when the target is one. Versions compare
// with core's tag order after normalising names (v prefix, "name@" prefixes)
// and dropping image variants.
std::vector<core::ReleaseNote> in_range(std::vector<core::ReleaseNote> notes, const core::Tag& current,
                                        const core::Tag& target);

class Client {
 public:
  Client(net::Client& http, Options options);

  // The seed's order: github_repo_overrides, then auto-detect, each verified
  // with GET /repos/{o}/{r} (a rename's 301 is followed); on 404 the -server,
  // -backend, -app suffix is stripped and tried once more.
  boost::asio::awaitable<RepoResolution> resolve_repo(const core::ImageRef& image, const config::UpgradeConfig& config,
                                                      net::Clock::time_point deadline);

  // Releases (every page until the current version is passed), else
  // CHANGELOG.md through the contents API.
  boost::asio::awaitable<ChangelogResult> changelog(const std::string& repo, const core::Tag& current,
                                                    const core::Tag& target, net::Clock::time_point deadline);

  // Total GitHub API requests made (tests, benchmarks).
  [[nodiscard]] std::size_t requests() const { return requests_; }

  struct Fetched {
    std::optional<net::Response> response;
    std::string problem;  // no usable response: why (network, rate limit past the deadline)
  };

 private:
  enum class Lookup;
  struct RepoLookup;
  boost::asio::awaitable<Fetched> get(std::string url, net::Clock::time_point deadline);
  boost::asio::awaitable<RepoLookup> verify(std::string repo, net::Clock::time_point deadline);
  std::string url_for(std::string_view path) const;

  net::Client& http_;
  Options options_;
  std::size_t requests_ = 0;
};

}  // namespace ua::adapters::github
