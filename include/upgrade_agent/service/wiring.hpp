#pragma once
// The one composition root: the event loop, the blocking pool, the git queue,
// the HTTP client, and the real adapters built from the settings, each behind
// the port the saga uses. Commands stay thin: they build a Wiring and run.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/registry.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::runtime {
class BlockingPool;
}

namespace ua::service {

class Wiring {
 public:
  Wiring(config::Settings settings, config::UpgradeConfig config);
  ~Wiring();
  Wiring(const Wiring&) = delete;
  Wiring& operator=(const Wiring&) = delete;

  boost::asio::io_context& io();
  [[nodiscard]] const config::Settings& settings() const;
  [[nodiscard]] const config::UpgradeConfig& config() const;

  // Builds the adapters (the cluster's credentials are read on the pool).
  // Errors name what is misconfigured. Call once, on the event loop.
  boost::asio::awaitable<core::Expected<void>> connect();
  // The blocking pool: file scans and edits run there.
  runtime::BlockingPool& pool();
  // The decision alone (GitHub, the chart index, the registry), which `plan`
  // uses without connect(): no cluster, no secret needed. The saga's ports
  // carry the same one. Made on first use, on the event loop: the registry's
  // credentials file is read on the pool; a bad one is a bad_input error.
  boost::asio::awaitable<core::Expected<saga::Decider*>> decider();
  // The image registry alone (`edit` moves digest pins with it).
  boost::asio::awaitable<core::Expected<ports::Registry*>> registry();
  // The ports, after connect().
  saga::Ports ports();
  // After a crash, before any saga runs: the clone back on the remote tip
  // (see adapters::git::Repository::recover); returns the commits dropped.
  boost::asio::awaitable<core::Expected<std::vector<std::string>>> recover_clone(
      std::vector<std::string> own_subjects);
  saga::Context context() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::service
