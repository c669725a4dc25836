#pragma once
// The Prometheus text exposition format (version 0.0.4) as Uptime Kuma's
// GET /metrics writes it, and the monitors in it. Pure functions: no I/O, so
// they are tested and fuzzed alone.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/probes.hpp"

namespace ua::adapters::uptime_kuma {

struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // as written, values unescaped
  double value = 0;
  std::optional<std::int64_t> timestamp_ms;

  [[nodiscard]] const std::string* label(std::string_view key) const;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> help;  // metric name -> docstring (unescaped)
  std::map<std::string, std::string> type;  // metric name -> counter | gauge | histogram | summary | untyped
};

// Every line must be a comment, HELP, TYPE, a sample or blank; the first one
// that is not is the error ("line 7: label value is not closed"), as a
// Prometheus scrape fails on it. Label values take the escapes \\ \" \n;
// labels come in any order; a timestamp may follow the value.
core::Expected<Exposition> parse_exposition(std::string_view text);

// One `monitor_status` series of Uptime Kuma (v1 labels: monitor_name,
// monitor_type, monitor_url, monitor_hostname, monitor_port; v2 adds
// monitor_id and a label per tag, which are ignored here).
struct KumaMonitor {
  std::string name;
  std::string type;
  std::string url;
  std::string id;  // empty in v1
  double status = -1;
};

std::vector<KumaMonitor> monitors_from(const Exposition& metrics);

// The host of a monitor_url ("https://Immich.example.org:8443/x" ->
// "immich.example.org"); empty for "https://", "null" or anything without one.
std::string url_host(std::string_view url);

// 0 down, 1 up, 2 pending, 3 maintenance; any other value is pending ("not
// finished yet"), never up.
ports::MonitorState state_of(double status) noexcept;

// The monitor for `service`: its name equals the service (case-insensitive)
// or its URL's host is one of `hosts`. Name matches win over host matches;
// among several, the one saying the least good news decides (down, pending,
// up, then maintenance) and the detail names the others.
ports::MonitorCheck select_monitor(const std::vector<KumaMonitor>& monitors, std::string_view service,
                                   const std::vector<std::string>& hosts);

std::string_view to_string(ports::MonitorState state) noexcept;

}  // namespace ua::adapters::uptime_kuma
