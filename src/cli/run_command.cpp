// `upgrade-agent run --image IMAGE[:TAG] [--tag TAG] [--hub-link URL]`: one
// saga in the foreground. The first SIGINT/SIGTERM asks the saga to stop
// (it reverts a pushed, unverified commit and reports); the second stops it
// at once.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "terraform/report.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/saga/saga.hpp"
#include "upgrade_agent/service/wiring.hpp"

namespace ua::cli {

namespace {

namespace asio = boost::asio;

struct RunOptions {
  std::string image;
  std::string tag;
  std::string hub_link;
  std::string settings;
};

// Every event as a log line: what each step did, with the time left.
class LogObserver final : public saga::Observer {
 public:
  void on_event(const saga::Event& e) override {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(e.time_left).count();
    const auto kind = saga::to_string(e.kind);
    const auto step = saga::to_string(e.step);
    switch (e.kind) {
      case saga::EventKind::failed:
        spdlog::warn("[{}] {} {}: {} ({}s left)", e.stack, step, kind, e.detail, left);
        break;
      case saga::EventKind::report_failed:
        spdlog::error("[{}] report not delivered: {}: {}", e.stack, e.error.describe(), e.detail);
        break;
      case saga::EventKind::pushed:
        spdlog::info("[{}] {} {}: {} {}", e.stack, step, kind, e.detail, e.sha);
        break;
      default:
        spdlog::info("[{}] {} {}{}{} ({}s left)", e.stack, step, kind, e.detail.empty() ? "" : ": ", e.detail, left);
    }
  }
};

int run_one(const RunOptions& opts) {
  std::optional<std::filesystem::path> file;
  if (!opts.settings.empty()) file = opts.settings;
  auto loaded = config::load_settings(file, config::process_environment());
  for (const auto& p : loaded.problems) {
    if (p.severity == config::Problem::Severity::error) spdlog::error("settings: {}: {}", p.where, p.message);
  }
  if (config::has_errors(loaded.problems)) return kBadInput;
  const auto missing = config::missing_requirements(loaded.settings, config::Needs::run);
  for (const auto& p : missing) spdlog::error("{}: {}", p.where, p.message);
  if (!missing.empty()) return kBadInput;

  auto request = terraform::parse_request(opts.image, opts.tag);
  if (!request) return report_failure(false, kBadInput, request.error().message);
  auto config_load = config::load_upgrade_config(loaded.settings.config_path());
  for (const auto& p : config_load.problems) spdlog::warn("{}: {}", p.where, p.message);
  if (!config_load.config) {
    return report_failure(false, kBadInput, "cannot use " + loaded.settings.config_path().string());
  }

  service::Wiring wiring(loaded.settings, *config_load.config);
  saga::Job job;
  job.id = "run";
  job.image = request->image;
  job.target_tag = request->tag;
  job.hub_link = opts.hub_link;

  // On a terminal one live line; otherwise (CI, a pipe, a journal) log lines.
  LogObserver log_lines;
  std::optional<ProgressLine> progress;
  if (::isatty(STDERR_FILENO) == 1) progress.emplace(wiring.io(), std::cerr);
  saga::Observer& observer = progress ? static_cast<saga::Observer&>(*progress) : log_lines;
  std::optional<saga::Result> result;
  std::optional<core::Error> failed;
  asio::cancellation_signal stop;
  asio::signal_set signals(wiring.io(), SIGINT, SIGTERM);
  int asked = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    ++asked;
    spdlog::warn(asked == 1 ? "stopping: the saga reverts what it pushed and reports (again to stop at once)"
                            : "stopping at once");
    stop.emit(asked == 1 ? asio::cancellation_type::total : asio::cancellation_type::terminal);
    if (asked == 1) signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  auto body = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      failed = connected.error();
      co_return;
    }
    result = co_await saga::run_upgrade(wiring.ports(), wiring.context(), job, observer);
  };
  asio::co_spawn(wiring.io(), body(), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                   signals.cancel();
                   if (progress) progress->finish();
                   if (e) std::rethrow_exception(e);
                 }));
  wiring.io().run();
  if (failed) return report_failure(false, failed->is(core::ErrorKind::bad_input) ? kBadInput : kFailed,
                                    failed->describe());
  if (!result) return kFailed;
  std::cout << saga::to_string(result->outcome) << ": " << result->stack << " " << result->from << " -> "
            << result->to << (result->reason.empty() ? "" : " (" + result->reason + ")") << "\n";
  for (const auto& e : result->report_failures) std::cerr << "report not delivered: " << e.describe() << "\n";
  return saga::exit_code(result->outcome);
}

}  // namespace

void register_run_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Upgrade one image: the whole saga in the foreground");
  cmd->add_option("--image", opts->image, "IMAGE[:TAG]")->required();
  cmd->add_option("--tag", opts->tag, "the target tag (instead of IMAGE:TAG)");
  cmd->add_option("--hub-link", opts->hub_link, "where the new tag was seen (for the report)");
  cmd->add_option("--settings", opts->settings, "a settings file (JSON); the environment wins");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_one(*opts); }; });
}

}  // namespace ua::cli
