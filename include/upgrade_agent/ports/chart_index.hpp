#pragma once
// Pattern C: which chart version of a Helm chart repository ships a given
// application version. A chart that cannot be looked up is a result (no
// version chosen, with the reason, or flagged for manual review); the only
// errors are `cancelled` and `internal`.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

struct ChartVersion {
  std::string version;      // the chart's own version ("2026.2.3")
  std::string app_version;  // appVersion: the application it ships
  bool deprecated = false;
};

struct ChartLookup {
  std::optional<ChartVersion> chosen;
  bool manual_review = false;      // OCI repository: no index to read; a person decides
  std::string reason;              // without `chosen`: why (or what to review)
  std::size_t chart_versions = 0;  // versions of this chart in the index
  std::size_t index_bytes = 0;
  std::optional<std::string> current_app_version;  // appVersion of the chart version deployed now, if listed
};

class ChartIndex {
 public:
  virtual ~ChartIndex() = default;

  // The newest chart version of `chart` in `repository` (not a pre-release,
  // not deprecated) whose appVersion is `app_tag`; with a non-empty
  // `current_chart_version`, also the appVersion that one ships.
  virtual boost::asio::awaitable<core::Expected<ChartLookup>> chart_for_app_version(std::string repository,
                                                                                    std::string chart,
                                                                                    std::string app_tag,
                                                                                    core::Deadline deadline,
                                                                                    std::string current_chart_version) = 0;
};

}  // namespace ua::ports
