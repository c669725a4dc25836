#pragma once
// An Uptime Kuma simulator: GET /metrics in the Prometheus text format, with
// the label sets of Kuma 1.x (monitor_name, _type, _url, _hostname, _port) or
// 2.x (a label per tag first, then monitor_id and the same), behind HTTP basic
// auth that reads the API key from the password. Monitors can be changed
// while it runs.
#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::uptime_kuma {

enum class Version { v1, v2 };

struct Monitor {
  std::uint64_t id = 0;  // 0: assigned
  std::string name;
  std::string type = "http";
  std::string url;                 // "https://" for non-HTTP monitors, as Kuma writes it
  std::string hostname = "null";
  std::string port = "null";
  int status = 1;                  // 0 down, 1 up, 2 pending, 3 maintenance (anything else is sent as is)
  std::vector<std::pair<std::string, std::string>> tags;  // name, value (v2 labels)
  double response_ms = 120;
};

struct Scenario {
  Version version = Version::v2;
  std::string api_key = "uk1_sandboxKumaKey";  // "uk<id>_<secret>", as Kuma issues them
  bool auth = true;                            // false: /metrics open, as with Kuma's auth disabled
  bool timestamps = false;                     // a millisecond timestamp after each monitor value
  std::vector<Monitor> monitors;
};

// The contract's three monitors (Linkwarden up, Dawarich down, a port monitor).
Scenario contract_scenario();

// The body of GET /metrics for `scenario` (pure: tests read it directly).
std::string render_metrics(const Scenario& scenario);

// A Prometheus label value: \ " and new line escaped.
std::string escape_label_value(std::string_view value);

struct Received {
  std::string path;
  std::optional<std::string> authorization;
  int status = 0;
};

class Simulator {
 public:
  Simulator(boost::asio::any_io_executor executor, Scenario scenario, net::ServerOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;  // UPTIME_KUMA_URL

  Scenario& scenario();  // may be changed between requests
  // The monitor of that name (exact), or null.
  Monitor* monitor(std::string_view name);
  // Adds or replaces the monitor of that name.
  Monitor& put(Monitor monitor);
  bool set_status(std::string_view name, int status);
  [[nodiscard]] const std::vector<Received>& requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::uptime_kuma
