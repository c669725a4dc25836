// `upgrade-agent run --image IMAGE[:TAG] [--tag TAG] [--hub-link URL]`: one
// saga in the foreground. The first SIGINT/SIGTERM asks the saga to stop
// (it reverts a pushed, unverified commit and reports); the second stops it
// at once.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/foreground.hpp"
#include "cli/progress_line.hpp"
#include "upgrade_agent/request/request.hpp"
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

int run_one(const RunOptions& opts) {
  auto setup = load_settings_and_repo(config::Needs::run, opts.settings);
  if (!setup) return report_failure(false, kBadInput, setup.error().message);
  if (!has_what_sagas_need(setup->settings)) return kBadInput;

  auto parsed = request::parse_command_line(opts.image, opts.tag, opts.hub_link);
  if (!parsed) return report_failure(false, kBadInput, parsed.error().message);
  auto config = add_upgrade_config(*setup, config::Needs::run);
  if (!config) return report_failure(false, kBadInput, config.error().message);

  service::Wiring wiring(std::move(setup->settings), std::move(*setup->config));
  saga::Job job;
  job.id = "run";
  job.image = parsed->image;
  job.target_tag = parsed->tag;
  job.hub_link = parsed->hub_link;

  // On a terminal one live line; otherwise (CI, a pipe, a journal) log lines.
  LogObserver log_lines;
  std::optional<ProgressLine> progress;
  if (::isatty(STDERR_FILENO) == 1) progress.emplace(wiring.io(), std::cerr);
  saga::Observer& observer = progress ? static_cast<saga::Observer&>(*progress) : log_lines;
  std::optional<saga::Result> result;
  std::optional<core::Error> failed;
  SignalStop stop(wiring.io(), "stopping: the saga reverts what it pushed and reports (again to stop at once)");

  auto body = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      failed = connected.error();
      co_return;
    }
    result = co_await saga::run_upgrade(wiring.ports(), wiring.context(), job, observer);
  };
  asio::co_spawn(wiring.io(), body(), asio::bind_cancellation_slot(stop.slot(), [&](const std::exception_ptr& e) {
                   stop.cancel();
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
