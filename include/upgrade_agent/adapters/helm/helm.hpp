#pragma once
// Pattern C: a Helm chart repository's index.yaml, and which chart version
// ships a given application version. The index can be tens of MB: it is read
// as a stream of YAML events (no document tree), keeping only what is asked for.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/chart_index.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::adapters::helm {

using ports::ChartLookup;
using ports::ChartVersion;

struct ChartIndex {
  std::map<std::string, std::vector<ChartVersion>> charts;  // in file order (Helm writes newest first)
  std::size_t versions_seen = 0;                            // every chart version in the file
};

// With `only_chart`, other charts' versions are counted but not kept. Errors
// name the line and column of bad YAML, or what is missing (no `entries`).
core::Expected<ChartIndex> parse_index(std::string_view yaml, std::optional<std::string_view> only_chart = {});

// SemVer 2: a '-' after the version core marks a pre-release (build metadata after '+' aside).
bool is_prerelease_version(std::string_view version);

// "v2026.2.3" and "2026.2.3" name the same application version.
bool app_version_matches(std::string_view app_version, std::string_view tag);

// The newest chart version (SemVer order) that is not a pre-release, not
// deprecated, and whose appVersion is `tag`.
std::optional<ChartVersion> newest_for_app_version(const std::vector<ChartVersion>& versions, std::string_view tag);

class Client final : public ports::ChartIndex {
 public:
  // The index is parsed on `pool`, never on the event loop.
  Client(net::Client& http, runtime::BlockingPool& pool, std::size_t max_index_bytes = 128U << 20U);

  // GET <repo_url>/index.yaml, then newest_for_app_version. oci:// repositories
  // are flagged for manual review, not guessed.
  // With `current_chart_version`, also the appVersion it ships (the image
  // version deployed now, for the changelog).
  boost::asio::awaitable<core::Expected<ChartLookup>> chart_for_app_version(std::string repo_url, std::string chart,
                                                                            std::string app_tag,
                                                                            core::Deadline deadline,
                                                                            std::string current_chart_version) override;

 private:
  net::Client& http_;
  runtime::BlockingPool& pool_;
  std::size_t max_index_bytes_;
};

}  // namespace ua::adapters::helm
