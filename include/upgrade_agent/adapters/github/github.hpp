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
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/release_range.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/core/tag.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/changelog.hpp"

namespace ua::adapters::github {

struct Options {
  std::string api_url = "https://api.github.com";  // GITHUB_API_URL
  std::string token;                                // GITHUB_TOKEN; empty: anonymous (60 requests/hour)
  unsigned max_pages = 30;                          // 3000 releases at 100 a page
  unsigned max_rate_limit_waits = 2;                // waits for a reset within one call
};

Options options_from(const config::Settings& settings);

// The port's result types, under the names this adapter has always used.
using ports::ChangelogResult;
using ports::RepoResolution;
using ports::RepoSource;
using ports::to_string;

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

// The release-range rule lives in core (plan uses it per step).
using core::in_range;

class Client final : public ports::ChangelogSource {
 public:
  Client(net::Client& http, Options options);

  // The seed's order: `override_repo` (github_repo_overrides), then
  // auto-detect, each verified with GET /repos/{o}/{r} (a rename's 301 is
  // followed); on 404 the -server, -backend, -app suffix is stripped and
  // tried once more.
  boost::asio::awaitable<core::Expected<RepoResolution>> resolve_repo(core::ImageRef image,
                                                                      std::optional<std::string> override_repo,
                                                                      core::Deadline deadline) override;

  // Releases (every page until the current version is passed), else
  // CHANGELOG.md through the contents API.
  boost::asio::awaitable<core::Expected<ChangelogResult>> changelog(std::string repo, core::Tag current,
                                                                    core::Tag target, core::Deadline deadline) override;

  // Total GitHub API requests made (tests, benchmarks).
  [[nodiscard]] std::size_t requests() const { return requests_; }

  struct Fetched {
    std::optional<net::Response> response;
    std::string problem;     // no usable response: why (network, rate limit past the deadline)
    bool cancelled = false;  // the caller cancelled: not a problem to report but an end
  };

 private:
  enum class Lookup;
  struct RepoLookup;
  boost::asio::awaitable<Fetched> get(std::string url, core::Deadline deadline);
  boost::asio::awaitable<RepoLookup> verify(std::string repo, core::Deadline deadline);
  boost::asio::awaitable<core::Expected<RepoResolution>> resolve(const core::ImageRef& image,
                                                                 const std::optional<std::string>& override_repo,
                                                                 core::Deadline deadline);
  boost::asio::awaitable<core::Expected<ChangelogResult>> read_changelog(const std::string& repo,
                                                                         const core::Tag& current,
                                                                         const core::Tag& target,
                                                                         core::Deadline deadline);
  std::string url_for(std::string_view path) const;

  net::Client& http_;
  Options options_;
  std::size_t requests_ = 0;
};

}  // namespace ua::adapters::github
