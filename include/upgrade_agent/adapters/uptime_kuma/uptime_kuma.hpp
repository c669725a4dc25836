#pragma once
// Step 10's Uptime Kuma check: GET <UPTIME_KUMA_URL>/metrics with the API key
// as the basic-auth password (an empty user), the Prometheus text parsed, and
// the service's monitor read from `monitor_status`.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/probes.hpp"

namespace ua::adapters::uptime_kuma {

struct Options {
  std::string url;          // UPTIME_KUMA_URL; empty: not configured (every check says no_monitor)
  config::Secret api_key;   // UPTIME_KUMA_API_KEY
  std::chrono::milliseconds timeout = std::chrono::seconds(15);  // per scrape, or the deadline if sooner
  std::size_t max_body_bytes = 16U << 20U;
};

Options options_from(const config::Settings& settings);

// "Basic " + base64(":" + key): Uptime Kuma reads the key from the password.
std::string basic_authorization(std::string_view api_key);

class Monitors final : public ports::Monitors {
 public:
  Monitors(net::Client& http, Options options);

  // No monitor (or Kuma not configured) is a result; a rejected API key, an
  // unreachable Kuma or an answer that is not Prometheus text is an error
  // (unavailable; timeout and cancelled keep their kinds).
  boost::asio::awaitable<core::Expected<ports::MonitorCheck>> status(std::string service,
                                                                     std::vector<std::string> hosts,
                                                                     core::Deadline deadline) override;

 private:
  net::Client& http_;
  Options options_;
};

}  // namespace ua::adapters::uptime_kuma
