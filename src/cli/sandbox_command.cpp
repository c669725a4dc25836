// `upgrade-agent sandbox [--scenario NAME] [--listen HOST:PORT] [--repo DIR]`:
// the simulated world alone, until SIGINT/SIGTERM. Stdout is exactly one
// `export NAME='VALUE'` line per setting, printed once every server listens,
// so `eval "$(upgrade-agent sandbox | head -n N)"` works; logs go to stderr.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/listen.hpp"
#include "cli/temp_folder.hpp"
#include "sandbox/world/sandbox.hpp"

namespace ua::cli {

namespace {

struct SandboxCommandOptions {
  std::string scenario = "healthy";
  std::string listen;
  std::string repo;
  bool list = false;
};

// POSIX shell single quotes: everything literal, a ' written as '\''.
std::string shell_quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}


int run_sandbox(const SandboxCommandOptions& opts) {
  if (opts.list) {
    for (const auto& s : sandbox::scenario_names()) std::cout << s.name << "\t" << s.description << "\n";
    return kDone;
  }
  auto scenario = sandbox::scenario_named(opts.scenario);
  if (!scenario) return report_failure(false, kBadInput, scenario.error().message);
  sandbox::SandboxOptions options;
  options.scenario = *scenario;
  if (!opts.listen.empty()) {
    auto listen = parse_listen(opts.listen, 65535 - 5, "six servers");
    if (!listen) return report_failure(false, kBadInput, listen.error().message);
    options.host = listen->first;
    options.first_port = listen->second;
  }
  if (!opts.repo.empty()) options.clone = std::filesystem::absolute(opts.repo);
  auto folder = TempFolder::make("upgrade-agent-sandbox");
  if (!folder) return report_failure(false, kFailed, folder.error().describe());
  options.dir = folder->path();

  // Listening for the signals before the settings are printed: whoever reads
  // them may stop the sandbox at once.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  auto world = sandbox::Sandbox::start(options);
  if (!world) return report_failure(false, kFailed, "the sandbox did not start: " + world.error().describe());
  for (const auto& [name, value] : (*world)->settings()) std::cout << "export " << name << "=" << shell_quoted(value) << "\n";
  std::cout.flush();
  spdlog::info("sandbox: scenario {} ({}); the agent's clone is {}; Ctrl-C stops", scenario->name,
               scenario->description, (*world)->clone().string());

  io.run();
  spdlog::info("sandbox: stopping");
  for (const auto& p : (*world)->problems()) spdlog::warn("sandbox: {}", p);
  return kDone;
}

}  // namespace

void register_sandbox_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<SandboxCommandOptions>();
  auto* cmd = app.add_subcommand("sandbox", "Run the simulated outside world alone, printing the settings for it");
  cmd->add_option("--scenario", opts->scenario, "what the world does (see --list-scenarios)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT of the first server; the others take the next ports");
  cmd->add_option("--repo", opts->repo, "where to make the agent's clone of the sample repository");
  cmd->add_flag("--list-scenarios", opts->list, "print the scenarios and exit");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_sandbox(*opts); }; });
}

}  // namespace ua::cli
