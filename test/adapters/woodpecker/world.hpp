#pragma once
// The adapter against a Woodpecker simulator on 127.0.0.1, polling every
// 20 ms so waits of many polls take well under a second.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/log_capture.hpp"
#include "net/support.hpp"
#include "sandbox/woodpecker/woodpecker_simulator.hpp"
#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"

namespace ua::test_woodpecker {

namespace asio = boost::asio;
namespace wp = ua::adapters::woodpecker;
namespace sim = ua::sandbox::woodpecker;
using namespace std::chrono_literals;

// A commit id of the agent's: 40 hex digits, never one of add_unrelated's (all 'f' first).
inline std::string sha(unsigned n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "0e6dcb83%032x", n * 2654435761U);
  return buf;
}

using MaybeOutcome = std::optional<core::Expected<ports::CiOutcome>>;

// co_spawn and `||` need a default-constructible result; Expected has none.
inline asio::awaitable<MaybeOutcome> waited(wp::Client& client, std::string commit, core::Deadline deadline,
                                            ports::CiProgress progress) {
  auto r = co_await client.wait_for_commit(std::move(commit), deadline, std::move(progress));
  MaybeOutcome out(std::move(r));
  co_return out;
}

struct Waited {
  std::optional<core::Expected<ports::CiOutcome>> result;
  std::vector<std::string> progress;
  double seconds = 0;

  [[nodiscard]] const ports::CiOutcome& outcome() const {
    // Boost.Test builds the message even when the check passes.
    BOOST_REQUIRE_MESSAGE(result->has_value(), "the wait failed: " << (result->has_value() ? "" : result->error().describe()));
    return result->value();
  }
  [[nodiscard]] const core::Error& error() const {
    BOOST_REQUIRE_MESSAGE(!result->has_value(),
                          "the wait did not fail: " << (result->has_value() ? result->value().state_text : ""));
    return result->error();
  }
  [[nodiscard]] std::string all_progress() const {
    std::string out;
    for (const auto& p : progress) out += p + "\n";
    return out;
  }
};

struct World {
  asio::io_context io;
  sim::Simulator sim;
  net::Client http;
  wp::Options options;

  static net::ClientOptions client_options() {
    net::ClientOptions o;
    o.backoff_initial = 5ms;
    o.backoff_max = 20ms;
    return o;
  }
  static sim::Options v(sim::ApiVersion version) {
    sim::Options o;
    o.version = version;
    return o;
  }

  explicit World(sim::Options sim_options = {})
      : sim(io.get_executor(), std::move(sim_options)), http(io.get_executor(), client_options()) {
    BOOST_REQUIRE(sim.start());
    options.url = sim.url();
    options.token = sim.options().token;
    options.repo = sim.repo();
    options.poll_interval = 20ms;
  }

  Waited wait(wp::Client& client, const std::string& commit, std::chrono::milliseconds budget = 5s) {
    Waited w;
    ports::CiProgress progress = [&w](std::string_view line) { w.progress.emplace_back(line); };
    const auto start = std::chrono::steady_clock::now();
    w.result = test::run_coro(io, waited(client, commit, start + budget, std::move(progress)));
    w.seconds = test::seconds_since(start);
    return w;
  }
  Waited wait(const std::string& commit, std::chrono::milliseconds budget = 5s) {
    wp::Client client(http, options);
    return wait(client, commit, budget);
  }

  [[nodiscard]] std::size_t requests_with(std::string_view text) const {
    std::size_t n = 0;
    for (const auto& r : sim.log()) n += r.target.find(text) != std::string::npos ? 1U : 0U;
    return n;
  }
};

// The one spdlog capture of the test suites (test/support/log_capture.hpp).
using ua::test::LogCapture;

inline std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace ua::test_woodpecker
