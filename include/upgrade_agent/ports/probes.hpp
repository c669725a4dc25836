#pragma once
// Step 10's outside checks: the HTTP health of an ingress host and the Uptime
// Kuma monitor of the service. A failing service is data (healthy = false,
// with why); only the check itself going wrong (cancelled, a rejected API key)
// is an error.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

struct HttpCheck {
  bool healthy = false;
  int status = 0;      // 0: no HTTP answer (timeout, refused, TLS)
  std::string detail;  // "https://immich.example.org: 502", "…: no answer within 10s"
};

class HttpHealth {
 public:
  virtual ~HttpHealth() = default;
  // 200, 301, 302 and 401 pass; 5xx, timeouts (10 s or the deadline) and
  // connection errors fail; at most 3 redirects.
  virtual boost::asio::awaitable<core::Expected<HttpCheck>> check(std::string host, core::Deadline deadline) = 0;
};

enum class MonitorState { up, down, pending, maintenance, no_monitor };

struct MonitorCheck {
  MonitorState state = MonitorState::no_monitor;
  std::string monitor;  // the monitor's name, when one matched
  std::string detail;
};

class Monitors {
 public:
  virtual ~Monitors() = default;
  // The monitor whose name equals `service` (case-insensitive) or whose URL's
  // host is one of `hosts`. Without Uptime Kuma configured: no_monitor.
  virtual boost::asio::awaitable<core::Expected<MonitorCheck>> status(std::string service,
                                                                     std::vector<std::string> hosts,
                                                                     core::Deadline deadline) = 0;
};

}  // namespace ua::ports
