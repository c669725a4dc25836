#pragma once
// One registry request with everything around it: the per-origin challenge
// (GET /v2/), Bearer tokens per scope, Basic, redirects followed by hand so a
// new host is challenged on its own, 429 waits, rate-limit headers.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "upgrade_agent/adapters/registry/challenge.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::registry {

// Every manifest type the agent reads, indexes first: leaving the index types
// out makes registries answer one platform's manifest instead.
inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

struct Call {
  std::string method = "GET";
  std::string url;
  std::string accept;
  std::size_t max_body = 4U << 20U;
  std::string display;    // "docker.io/library/nginx", for messages
  std::string operation;  // core::Error::operation
  bool counts_as_pull = false;
};

class Session {
 public:
  Session(net::Client& http, Options options) : http_(http), options_(std::move(options)) {}

  // The final answer (any status but 401 after the one retry, 429 past the
  // deadline, or a redirect), or an error.
  boost::asio::awaitable<core::Expected<net::Response>> send(Call call, core::Deadline deadline);

  [[nodiscard]] const Options& options() const { return options_; }
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  enum class Mode { unknown, anonymous, basic, bearer };
  struct OriginAuth {
    Mode mode = Mode::unknown;
    Challenge bearer;
  };
  struct CachedToken {
    std::string token;
    std::chrono::system_clock::time_point expires;
  };
  struct Authorization {
    std::optional<std::string> header;  // the Authorization value, when one is sent
    std::string token_key;              // the cache entry it came from (bearer)
  };

  boost::asio::awaitable<core::Expected<void>> ping(const net::Url& url, const Call& call, core::Deadline deadline);
  boost::asio::awaitable<core::Expected<Authorization>> authorize(const net::Url& url, const Call& call,
                                                                  const std::string& scope_hint,
                                                                  core::Deadline deadline);
  boost::asio::awaitable<core::Expected<std::string>> token(const Challenge& challenge, std::string scope,
                                                            const std::string& authority, const Call& call,
                                                            core::Deadline deadline, std::string& key);
  void learn(const std::string& origin, const std::vector<Challenge>& challenges);
  void note_rate_limit(const net::Response& response, const Call& call);
  boost::asio::awaitable<core::Expected<net::Response>> fetch(net::Request request, std::size_t max_body,
                                                              const Call& call, core::Deadline deadline);

  net::Client& http_;
  Options options_;
  Stats stats_;
  std::map<std::string, OriginAuth> origins_;
  std::map<std::string, CachedToken> tokens_;  // realm, service, scope
};

}  // namespace ua::adapters::registry
