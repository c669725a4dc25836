#include "upgrade_agent/service/run_jobs.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <list>

#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/service/wiring.hpp"

namespace ua::service {

namespace asio = boost::asio;

namespace {

core::Error setup_error(std::string message, std::string operation) {
  return core::make_error(core::ErrorKind::bad_input, std::move(message), "service", std::move(operation));
}

// A free coroutine, not a lambda: its frame must not point into a closure
// that dies before the saga ends.
asio::awaitable<void> one_saga(Wiring& wiring, const saga::Job& job, saga::Observer& observer,
                               std::optional<saga::Result>& out) {
  auto result = co_await saga::run_upgrade(wiring.ports(), wiring.context(), job, observer);
  out = std::move(result);
}

}  // namespace

JobsRun run_jobs(const config::Environment& env, const std::vector<saga::Job>& jobs, saga::Observer& observer,
                 const RunJobsOptions& options) {
  JobsRun run;
  const auto started = core::Clock::now();
  auto loaded = config::load_settings(std::nullopt, env);
  if (config::has_errors(loaded.problems)) {
    std::string what;
    for (const auto& p : loaded.problems) what += (what.empty() ? "" : "; ") + p.where + ": " + p.message;
    run.failed = setup_error("the settings do not load: " + what, "settings");
    return run;
  }
  auto config_load = config::load_upgrade_config(loaded.settings.config_path());
  if (!config_load.config) {
    run.failed = setup_error("cannot use " + loaded.settings.config_path().string(), "config");
    return run;
  }
  Wiring wiring(loaded.settings, *config_load.config);

  // One signal per saga: a slot holds one handler.
  std::list<asio::cancellation_signal> stops;
  auto stop_all = [&](asio::cancellation_type type) {
    for (auto& s : stops) s.emit(type);
  };
  std::optional<asio::signal_set> signals;
  int asked = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    ++asked;
    run.interrupted = true;
    spdlog::warn(asked == 1 ? "stopping: each saga reverts what it pushed and reports (again to stop at once)"
                            : "stopping at once");
    stop_all(asked == 1 ? asio::cancellation_type::total : asio::cancellation_type::terminal);
    if (asked == 1) signals->async_wait(on_signal);
  };
  if (options.handle_signals) {
    signals.emplace(wiring.io(), SIGINT, SIGTERM);
    signals->async_wait(on_signal);
  }
  asio::steady_timer budget(wiring.io());
  if (options.budget.count() > 0) {
    budget.expires_after(options.budget);
    budget.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      run.over_budget = true;
      spdlog::error("the budget of {} ms ran out: asking the sagas to stop", options.budget.count());
      stop_all(asio::cancellation_type::total);
    });
  }
  std::vector<std::optional<saga::Result>> results(jobs.size());
  std::size_t running = 0;
  auto finish_one = [&] {
    if (--running > 0) return;
    budget.cancel();
    if (signals) signals->cancel();
  };

  auto sequential = [&]() -> asio::awaitable<void> {
    for (std::size_t i = 0; i < jobs.size() && !run.over_budget && !run.interrupted; ++i) {
      co_await one_saga(wiring, jobs[i], observer, results[i]);
    }
  };
  auto start = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      run.failed = connected.error();
      co_return;
    }
    if (!options.concurrently) {
      auto& stop = stops.emplace_back();
      ++running;
      asio::co_spawn(wiring.io(), sequential(), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                       finish_one();
                       if (e) std::rethrow_exception(e);
                     }));
      co_return;
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto& stop = stops.emplace_back();
      ++running;
      asio::co_spawn(wiring.io(), one_saga(wiring, jobs[i], observer, results[i]), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                       finish_one();
                       if (e) std::rethrow_exception(e);
                     }));
    }
  };
  asio::co_spawn(wiring.io(), start(), [&](const std::exception_ptr& e) {
    if (running == 0) {
      budget.cancel();
      if (signals) signals->cancel();
    }
    if (e) std::rethrow_exception(e);
  });
  wiring.io().run();
  for (auto& r : results) {
    if (r) run.results.push_back(std::move(*r));
  }
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now() - started);
  return run;
}

}  // namespace ua::service
