#pragma once
// The GitHub simulator (src/sandbox/github, what `ua-github-sim` serves) as
// the suites use it: in the test's own event loop (adapter and library tests,
// driven with run_coro) or on a thread of its own (CLI tests, where the agent
// runs as a child process). One copy for every suite.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <memory>
#include <string>
#include <thread>

#include "sandbox/github/github_simulator.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"

namespace ua::test {

// The seed's upgrade-config.json from the shared folder.
inline config::UpgradeConfig seed_config() {
  auto load = config::load_upgrade_config(std::string(UA_SHARED_DIR) + "/seed/upgrade-config.json");
  BOOST_REQUIRE(load.config);
  return *load.config;
}

// A simulator on the caller's io_context, stopped (and its connections
// drained) when the fixture goes.
struct LocalGithub {
  boost::asio::io_context& io;
  std::unique_ptr<sandbox::github::Simulator> simulator;

  explicit LocalGithub(boost::asio::io_context& context) : io(context) {}
  LocalGithub(const LocalGithub&) = delete;
  LocalGithub& operator=(const LocalGithub&) = delete;
  ~LocalGithub() {
    if (!simulator) return;
    simulator->stop();
    io.restart();
    io.poll();
  }

  sandbox::github::Simulator& start(sandbox::github::Scenario scenario = sandbox::github::default_scenario()) {
    simulator = std::make_unique<sandbox::github::Simulator>(io.get_executor(), std::move(scenario));
    BOOST_REQUIRE(simulator->start());
    return *simulator;
  }
  sandbox::github::Simulator& operator*() { return *simulator; }
  sandbox::github::Simulator* operator->() { return simulator.get(); }
};

// A simulator on a thread of its own, for suites that run the built binary.
class GithubOnThread {
 public:
  explicit GithubOnThread(sandbox::github::Scenario scenario = sandbox::github::default_scenario())
      : simulator_(io_.get_executor(), std::move(scenario)) {
    BOOST_REQUIRE(simulator_.start());
    loop_ = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io_);
      io_.run();
    });
  }
  GithubOnThread(const GithubOnThread&) = delete;
  GithubOnThread& operator=(const GithubOnThread&) = delete;
  ~GithubOnThread() {
    boost::asio::post(io_, [this] {
      simulator_.stop();
      io_.stop();
    });
    loop_.join();
  }

  [[nodiscard]] std::string url() const { return simulator_.url(); }
  [[nodiscard]] std::uint16_t port() const { return simulator_.port(); }
  // The number of requests served so far, read on the simulator's thread.
  std::size_t requests() {
    std::promise<std::size_t> p;
    boost::asio::post(io_, [&] { p.set_value(simulator_.log().size()); });
    return p.get_future().get();
  }
  // Runs `f` on the simulator's thread (its state is not thread-safe).
  template <class F>
  void with_scenario(F f) {
    std::promise<void> p;
    boost::asio::post(io_, [&] {
      f(simulator_.scenario());
      p.set_value();
    });
    p.get_future().get();
  }

 private:
  boost::asio::io_context io_;
  sandbox::github::Simulator simulator_;
  std::thread loop_;
};

}  // namespace ua::test
