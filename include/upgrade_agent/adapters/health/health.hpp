#pragma once
// Step 10's HTTP health of an ingress host, as the seed's
// `curl -L --max-redirs 3` judged it: GET <scheme>://<host>/, redirects
// followed (at most 3), and the last answer received decides.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/probes.hpp"

namespace ua::adapters::health {

struct Options {
  std::string scheme = "https";                                  // UPGRADE_AGENT_HEALTH_SCHEME
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // the whole check, redirects included
  unsigned max_redirects = 3;
};

Options options_from(const config::Settings& settings);

// Whether one answer's status passes: 2xx, 401, and the redirects (301, 302,
// 303, 307, 308: the last answer is one only when it could not be followed).
// Everything else fails: 5xx, other 3xx, and 4xx other than 401 (a 404 at "/"
// is the ingress's default backend: the service is not behind the host).
bool passes(int status) noexcept;

class Checker final : public ports::HttpHealth {
 public:
  Checker(net::Client& http, Options options);

  // healthy=false with the reason for failing statuses, timeouts, refused
  // connections and TLS errors; an error only for a host that is not a host
  // name (bad_input) and for cancellation (cancelled).
  boost::asio::awaitable<core::Expected<ports::HttpCheck>> check(std::string host, core::Deadline deadline) override;

 private:
  boost::asio::awaitable<core::Expected<ports::HttpCheck>> probe(std::string host, core::Deadline deadline);

  net::Client& http_;
  Options options_;
};

}  // namespace ua::adapters::health
