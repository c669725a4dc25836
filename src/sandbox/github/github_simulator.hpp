#pragma once
// A GitHub REST simulator (the shapes of ../shared/contracts/github-*.json and
// GitHub's documented behaviour): repositories, renames (301), paginated
// releases with Link headers, the contents API, rate limits, and faults on
// demand (500s, malformed JSON, slowness).
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::github {

struct Release {
  std::string tag_name;
  std::string name;
  std::string body;
  bool draft = false;
  bool prerelease = false;
};

struct Repo {
  std::string full_name;  // "coturn/coturn"
  std::uint64_t id = 0;   // 0: assigned
  std::vector<Release> releases;            // newest first, as the API lists them
  std::optional<std::string> changelog_md;  // served at contents/CHANGELOG.md
};

struct Faults {
  unsigned rate_limited = 0;            // the next N API requests are rate limited
  int rate_limit_status = 403;          // 403 or 429
  std::chrono::seconds reset_in{2};     // primary limit: x-ratelimit-reset = now + reset_in
  std::optional<std::chrono::seconds> retry_after;  // secondary limit: retry-after instead
  unsigned server_errors = 0;           // the next N API requests answer 500
  std::vector<std::string> malformed;   // path prefixes answered with broken JSON
  std::chrono::milliseconds delay{0};   // every answer this late
};

struct Scenario {
  std::vector<Repo> repos;
  std::map<std::string, std::string> renamed;  // old "owner/name" -> current full name (answers 301)
  Faults faults;
  std::optional<std::string> required_token;   // requests must send "Bearer T" or "token T" (else 401)
};

struct LoggedRequest {
  std::string method;
  std::string target;
  std::optional<std::string> authorization;
  int status = 0;
};

// `count` releases, newest first, tagged prefix + M.m.0 with M = 1 + i/100 and
// m = i%100 (so 250 releases span 1.0.0 .. 3.49.0), each with a short body.
std::vector<Release> numbered_releases(std::size_t count, std::string_view prefix = "v");

// The contract's coturn releases, dani-garcia/vaultwarden, a repository with
// only a CHANGELOG.md, and immich-app/immich (found from immich-server by
// stripping -server).
Scenario default_scenario();

class Simulator {
 public:
  Simulator(boost::asio::any_io_executor executor, Scenario scenario, net::ServerOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;  // GITHUB_API_URL
  [[nodiscard]] std::uint16_t port() const;

  Scenario& scenario();  // may be changed between requests
  [[nodiscard]] const std::vector<LoggedRequest>& log() const;
  [[nodiscard]] std::size_t count(std::string_view path_prefix) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

std::string encode_base64(std::string_view data, std::size_t line_length = 60);

}  // namespace ua::sandbox::github
