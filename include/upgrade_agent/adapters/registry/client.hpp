#pragma once
// ports::Registry over the OCI Distribution API and net::Client.
//   tags    GET /v2/<name>/tags/list, following Link rel="next" verbatim
//   digest  HEAD /v2/<name>/manifests/<ref> with all four manifest types in
//           Accept; Docker-Content-Digest, else GET and sha256 of the bytes
//   auth    the challenge of GET /v2/ (Bearer: anonymous or Basic to the
//           realm, one token per scope until issued_at + max(expires_in, 60 s),
//           one retry on insufficient_scope; Basic), learnt per origin, so a
//           redirect to another host is challenged there
// Errors carry system "registry"; no password or token is ever in one, nor
// in a log line.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/adapters/registry/credentials.hpp"
#include "upgrade_agent/adapters/registry/endpoint.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::adapters::registry {

struct Options {
  std::vector<std::string> insecure_registries;  // UPGRADE_AGENT_INSECURE_REGISTRIES
  std::vector<config::RegistryEndpoint> endpoints;  // UPGRADE_AGENT_REGISTRY_ENDPOINTS
  Credentials credentials;                        // from registry_auth_file
  unsigned max_tag_pages = 100;                   // a repository with more pages is an error, not a guess
  unsigned max_redirects = 5;
  unsigned max_rate_limit_waits = 2;              // 429 waits of our own, after net::Client's
  std::size_t max_manifest_bytes = 4U << 20U;     // the distribution spec's manifest limit
  std::size_t max_tag_page_bytes = 8U << 20U;
};

// The settings' insecure registries and the credentials of registry_auth_file
// (read here: call at start-up, off the event loop). bad_input when the file
// is unreadable or malformed.
core::Expected<Options> options_from(const config::Settings& settings);

struct Stats {
  std::size_t requests = 0;       // every HTTP request made, pings and token requests included
  std::size_t pings = 0;          // GET /v2/
  std::size_t token_requests = 0;
  std::size_t gets_of_manifests = 0;  // count against Docker Hub's pull limit, unlike HEAD
  std::optional<long> ratelimit_remaining;  // the last `ratelimit-remaining` seen
};

class Client final : public ports::Registry {
 public:
  Client(net::Client& http, Options options);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  boost::asio::awaitable<core::Expected<ports::TagList>> tags(core::ImageRef image, core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::Digest>> digest(core::ImageRef image, std::string reference,
                                                               core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::Manifest>> manifest(core::ImageRef image, std::string reference,
                                                                   core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::Platform>> platform(core::ImageRef image, std::string manifest_digest,
                                                                   core::Deadline deadline) override;

  [[nodiscard]] const Stats& stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::adapters::registry
