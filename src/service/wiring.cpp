#include "upgrade_agent/service/wiring.hpp"

#include "service/plan_decider.hpp"
#include "upgrade_agent/adapters/git/async_repository.hpp"
#include "upgrade_agent/adapters/git/clone.hpp"
#include "upgrade_agent/adapters/git/options.hpp"
#include "upgrade_agent/adapters/health/health.hpp"
#include "upgrade_agent/adapters/kubernetes/cluster.hpp"
#include "upgrade_agent/adapters/slack/slack.hpp"
#include "upgrade_agent/adapters/uptime_kuma/uptime_kuma.hpp"
#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::service {

namespace asio = boost::asio;

// Declared in the order they must be destroyed last-first: adapters hold
// references to the client, the pool and the queue.
struct Wiring::Impl {
  Impl(config::Settings s, config::UpgradeConfig c)
      : settings(std::move(s)), config(std::move(c)), pool(2), git_queue(pool), http(io.get_executor(), client_options()),
        locks(io.get_executor()) {}

  net::ClientOptions client_options() const {
    net::ClientOptions o;
    o.connect_to = settings.connect_to;
    return o;
  }

  config::Settings settings;
  config::UpgradeConfig config;
  asio::io_context io;
  runtime::BlockingPool pool;
  runtime::SerialQueue git_queue;
  net::Client http;
  saga::StackLocks locks;
  std::unique_ptr<adapters::git::AsyncRepository> repository;
  std::unique_ptr<adapters::git::GitCloneAdapter> git;
  std::unique_ptr<adapters::woodpecker::Client> ci;
  std::unique_ptr<adapters::kubernetes::Cluster> cluster;
  std::unique_ptr<adapters::health::Checker> health;
  std::unique_ptr<adapters::uptime_kuma::Monitors> monitors;
  std::unique_ptr<adapters::slack::Notifier> notifier;
  std::unique_ptr<PlanDecider> decider;
};

Wiring::Wiring(config::Settings settings, config::UpgradeConfig config)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(config))) {}

Wiring::~Wiring() = default;

asio::io_context& Wiring::io() { return impl_->io; }
const config::Settings& Wiring::settings() const { return impl_->settings; }
const config::UpgradeConfig& Wiring::config() const { return impl_->config; }

asio::awaitable<core::Expected<void>> Wiring::connect() {
  auto& m = *impl_;
  auto git_options = adapters::git::options_from_settings(m.settings, config::process_environment());
  std::optional<core::Error> problem;
  if (!git_options) {
    problem = git_options.error();
  } else {
    m.repository = std::make_unique<adapters::git::AsyncRepository>(m.git_queue, std::move(*git_options));
    m.git = std::make_unique<adapters::git::GitCloneAdapter>(*m.repository);
    m.ci = std::make_unique<adapters::woodpecker::Client>(m.http, adapters::woodpecker::options_from(m.settings));
    m.health = std::make_unique<adapters::health::Checker>(m.http, adapters::health::options_from(m.settings));
    m.monitors =
        std::make_unique<adapters::uptime_kuma::Monitors>(m.http, adapters::uptime_kuma::options_from(m.settings));
    m.notifier = std::make_unique<adapters::slack::Notifier>(m.http, adapters::slack::options_from(m.settings));
    // registry_auth_file is read here, on the pool: a file read never runs on the event loop.
    const config::Settings* settings = &m.settings;
    auto read_registry_options = [settings] { return adapters::registry::options_from(*settings); };
    auto registry_options = co_await runtime::offload(m.pool, read_registry_options);
    if (registry_options) {
      m.decider = std::make_unique<PlanDecider>(m.http, m.pool, adapters::github::options_from(m.settings),
                                                std::move(*registry_options));
    } else {
      problem = registry_options.error();
    }
    auto options = adapters::kubernetes::options_from(m.settings);
    auto cluster = co_await adapters::kubernetes::Cluster::connect(m.io.get_executor(), m.pool, std::move(options));
    if (cluster) {
      m.cluster = std::move(*cluster);
    } else {
      problem = cluster.error();
    }
  }
  core::Expected<void> answer;
  if (problem) answer = *problem;
  co_return answer;
}

saga::Ports Wiring::ports() {
  auto& m = *impl_;
  return saga::Ports{*m.git, *m.ci, *m.cluster, *m.health, *m.monitors, *m.notifier, *m.decider, m.pool, m.locks};
}

saga::Context Wiring::context() const {
  return saga::Context{impl_->config, impl_->settings.step_mode, saga::Timing::from(impl_->settings)};
}

}  // namespace ua::service
