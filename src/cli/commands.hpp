#pragma once
// The command line (DESIGN.md): each command registers itself on the app and
// sets Context::action; the action returns the exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

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
