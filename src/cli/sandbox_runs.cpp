#include "cli/sandbox_runs.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ostream>

#include "terraform/report.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/service/wiring.hpp"

namespace ua::cli {

namespace asio = boost::asio;

StoryObserver::StoryObserver(std::ostream& out) : out_(out) {}

void StoryObserver::on_event(const saga::Event& e) {
  const auto at = std::chrono::duration<double>(e.at - start_).count();
  std::string line = fmt::format("  {:6.2f}s  {:<15} {:<13}", at, saga::to_string(e.step), saga::to_string(e.kind));
  switch (e.kind) {
    case saga::EventKind::failed:
      line += e.detail.empty() ? e.error.describe() : e.detail;
      break;
    case saga::EventKind::report_failed:
      line += "NOT DELIVERED: " + e.error.describe();
      break;
    case saga::EventKind::pushed:
      line += e.detail + (e.sha.empty() ? "" : " " + e.sha.substr(0, 10));
      break;
    default:
      line += e.detail;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out_ << line << "\n";
  out_.flush();
}

core::Expected<saga::Job> job_for(const std::string& image_and_tag, std::string id) {
  auto request = terraform::parse_request(image_and_tag, "");
  if (!request) return request.error();
  saga::Job job;
  job.id = std::move(id);
  job.image = request->image;
  job.target_tag = request->tag;
  job.hub_link = "https://hub.docker.com/";
  return job;
}

SandboxRun run_against(const sandbox::Sandbox& world, const std::vector<saga::Job>& jobs, saga::Observer& observer,
                       std::chrono::milliseconds budget) {
  SandboxRun run;
  const auto started = core::Clock::now();
  auto loaded = config::load_settings(std::nullopt, world.environment());
  if (config::has_errors(loaded.problems)) {
    std::string what;
    for (const auto& p : loaded.problems) what += (what.empty() ? "" : "; ") + p.where + ": " + p.message;
    run.failed = core::make_error(core::ErrorKind::internal, "the sandbox's settings do not load: " + what, "sandbox",
                                  "settings");
    return run;
  }
  auto config_load = config::load_upgrade_config(loaded.settings.config_path());
  if (!config_load.config) {
    run.failed = core::make_error(core::ErrorKind::internal, "the sample repository's upgrade config does not load",
                                  "sandbox", "config");
    return run;
  }
  service::Wiring wiring(loaded.settings, *config_load.config);

  asio::cancellation_signal stop;
  asio::signal_set signals(wiring.io(), SIGINT, SIGTERM);
  asio::steady_timer deadline(wiring.io());
  int asked = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    ++asked;
    run.interrupted = true;
    spdlog::warn(asked == 1 ? "stopping: the saga reverts what it pushed and reports (again to stop at once)"
                            : "stopping at once");
    stop.emit(asked == 1 ? asio::cancellation_type::total : asio::cancellation_type::terminal);
    if (asked == 1) signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  if (budget.count() > 0) {
    deadline.expires_after(budget);
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      run.over_budget = true;
      spdlog::error("the budget of {} ms ran out: asking the running saga to stop", budget.count());
      stop.emit(asio::cancellation_type::total);
    });
  }

  auto body = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      run.failed = connected.error();
      co_return;
    }
    for (std::size_t i = 0; i < jobs.size() && !run.over_budget && !run.interrupted; ++i) {
      auto result = co_await saga::run_upgrade(wiring.ports(), wiring.context(), jobs[i], observer);
      run.results.push_back(std::move(result));
    }
  };
  asio::co_spawn(wiring.io(), body(), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                   signals.cancel();
                   deadline.cancel();
                   if (e) std::rethrow_exception(e);
                 }));
  wiring.io().run();
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now() - started);
  return run;
}

}  // namespace ua::cli
