#pragma once
// The command line (DESIGN.md): each command registers itself on the app and
// sets Context::action; the action returns the exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

#include "upgrade_agent/config/setup.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::cli {

enum ExitCode : int {
  kDone = 0,            // for edit/plan: a change is made/planned
  kFailed = 1,          // rolled back or aborted
  kBadInput = 2,        // bad input or usage
  kNotReferenced = 3,   // image not referenced under stacks/
  kAlreadyCurrent = 4,  // already at the target
  kRefused = 5,         // refused by policy
};

// Parsing and running are kept apart: a subcommand's CLI11 callback only
// stores what to run, and main runs it after logging is set up.
struct Context {
  std::function<int()> action;
  int verbosity = 0;
};

void setup_logging(int verbosity);

// Logs `message` as an error and, for --json, prints {"error", "exit_code"} as
// the one document on stdout; returns `code`.
int report_failure(bool json, int code, const std::string& message);

// What a command runs on, loaded in the one place (config::load_setup), its
// warnings logged. Empty strings are options not given. Every error is the
// user's to fix (exit 2): its message names the setting or the file.
core::Expected<config::Setup> load_setup(config::Needs needs, const std::string& settings_file,
                                         const std::string& repo = {}, const std::string& config_file = {});
// The same without the upgrade config, then the config (`run` and `batch`
// name missing secrets and bad lines first).
core::Expected<config::Setup> load_settings_and_repo(config::Needs needs, const std::string& settings_file);
core::Expected<void> add_upgrade_config(config::Setup& setup, config::Needs needs);

// Why a --chart-version is not a version, or nothing.
std::optional<std::string> check_chart_version(const std::string& chart_version);

void register_config_command(CLI::App& app, Context& ctx);
void register_edit_command(CLI::App& app, Context& ctx);
void register_plan_command(CLI::App& app, Context& ctx);
void register_run_command(CLI::App& app, Context& ctx);
void register_sandbox_command(CLI::App& app, Context& ctx);
void register_demo_command(CLI::App& app, Context& ctx);
void register_smoke_command(CLI::App& app, Context& ctx);
void register_batch_command(CLI::App& app, Context& ctx);
void register_hold_command(CLI::App& app, Context& ctx);
void register_serve_command(CLI::App& app, Context& ctx);

}  // namespace ua::cli
