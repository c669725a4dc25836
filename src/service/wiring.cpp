#include "upgrade_agent/service/wiring.hpp"

#include "service/plan_decider.hpp"
#include "upgrade_agent/adapters/git/async_repository.hpp"
#include "upgrade_agent/adapters/git/error.hpp"
#include "upgrade_agent/adapters/git/clone.hpp"
#include "upgrade_agent/adapters/git/options.hpp"
#include "upgrade_agent/adapters/health/health.hpp"
#include "upgrade_agent/adapters/kubernetes/cluster.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
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
      : settings(std::move(s)), config(std::move(c)), pool(2), git_queue(pool), locks(io.get_executor()) {}

  net::ClientOptions client_options() const {
    net::ClientOptions o;
    o.connect_to = settings.connect_to;
    return o;
  }

  // The pool's threads stop before the loop goes, and the pool outlives the
  // loop: coroutine frames still queued on a stopped loop hold the pool's
  // strands, and are destroyed with it.
  ~Impl() { pool.join(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  config::Settings settings;
  config::UpgradeConfig config;
  runtime::BlockingPool pool;
  asio::io_context io;
  runtime::SerialQueue git_queue;
  // Made on first use: setting up TLS takes a noticeable part of a second,
  // which `edit` and `plan --offline` never need.
  std::optional<net::Client> client;
  net::Client& http() {
    if (!client) client.emplace(io.get_executor(), client_options());
    return *client;
  }
  saga::StackLocks locks;
  std::unique_ptr<adapters::git::AsyncRepository> repository;
  std::unique_ptr<adapters::git::GitCloneAdapter> git;
  std::unique_ptr<adapters::woodpecker::Client> ci;
  std::unique_ptr<adapters::kubernetes::Cluster> cluster;
  std::unique_ptr<adapters::health::Checker> health;
  std::unique_ptr<adapters::uptime_kuma::Monitors> monitors;
  std::unique_ptr<adapters::slack::Notifier> notifier;
  std::unique_ptr<adapters::registry::Client> registry;
  std::unique_ptr<PlanDecider> decider;
};

Wiring::Wiring(config::Settings settings, config::UpgradeConfig config)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(config))) {}

Wiring::~Wiring() = default;

asio::io_context& Wiring::io() { return impl_->io; }
const config::Settings& Wiring::settings() const { return impl_->settings; }
const config::UpgradeConfig& Wiring::config() const { return impl_->config; }

runtime::BlockingPool& Wiring::pool() { return impl_->pool; }

asio::awaitable<core::Expected<ports::Registry*>> Wiring::registry() {
  auto& m = *impl_;
  if (!m.registry) {
    // registry_auth_file is read here, on the pool: a file read never runs on the event loop.
    const config::Settings* settings = &m.settings;
    auto read_options = [settings] { return adapters::registry::options_from(*settings); };
    auto options = co_await runtime::offload(m.pool, read_options);
    if (!options) co_return options.error();
    m.registry = std::make_unique<adapters::registry::Client>(m.http(), std::move(*options));
  }
  co_return m.registry.get();
}

asio::awaitable<core::Expected<saga::Decider*>> Wiring::decider() {
  auto& m = *impl_;
  if (!m.decider) {
    auto registry = co_await this->registry();
    if (!registry) co_return registry.error();
    m.decider = std::make_unique<PlanDecider>(m.http(), m.pool, adapters::github::options_from(m.settings), **registry);
  }
  co_return m.decider.get();
}

asio::awaitable<core::Expected<void>> Wiring::connect() {
  auto& m = *impl_;
  auto git_options = adapters::git::options_from_settings(m.settings, config::process_environment());
  std::optional<core::Error> problem;
  if (!git_options) {
    problem = git_options.error();
  } else {
    m.repository = std::make_unique<adapters::git::AsyncRepository>(m.git_queue, std::move(*git_options));
    m.git = std::make_unique<adapters::git::GitCloneAdapter>(*m.repository);
    m.ci = std::make_unique<adapters::woodpecker::Client>(m.http(), adapters::woodpecker::options_from(m.settings));
    m.health = std::make_unique<adapters::health::Checker>(m.http(), adapters::health::options_from(m.settings));
    m.monitors =
        std::make_unique<adapters::uptime_kuma::Monitors>(m.http(), adapters::uptime_kuma::options_from(m.settings));
    m.notifier = std::make_unique<adapters::slack::Notifier>(m.http(), adapters::slack::options_from(m.settings));
    auto decider = co_await this->decider();
    if (!decider) problem = decider.error();
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

asio::awaitable<core::Expected<std::vector<std::string>>> Wiring::recover_clone(
    std::vector<std::string> own_subjects) {
  std::vector<std::string> dropped;
  std::optional<core::Error> problem;
  std::function<void(adapters::git::Repository&)> work = [&](adapters::git::Repository& repo) {
    try {
      dropped = repo.recover(own_subjects, core::Clock::now() + std::chrono::minutes(2));
    } catch (const adapters::git::GitError& e) {
      problem = adapters::git::to_error(e);
    }
  };
  co_await impl_->repository->with_repository(std::move(work));
  if (problem) co_return *problem;
  co_return dropped;
}

saga::Context Wiring::context() const {
  return saga::Context{impl_->config, impl_->settings.step_mode, saga::Timing::from(impl_->settings),
                       impl_->settings.config_changes};
}

}  // namespace ua::service
