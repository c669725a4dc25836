// The command line only: parse, hand over to a command, map its outcome to an exit code.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <string_view>

#include "cli/commands.hpp"

namespace {

struct Command {
  std::string_view name;
  void (*add)(CLI::App&, ua::cli::Context&);
};

constexpr Command kCommands[] = {
    {"config", ua::cli::register_config_command},   {"edit", ua::cli::register_edit_command},
    {"plan", ua::cli::register_plan_command},       {"run", ua::cli::register_run_command},
    {"sandbox", ua::cli::register_sandbox_command}, {"demo", ua::cli::register_demo_command},
    {"smoke", ua::cli::register_smoke_command},     {"batch", ua::cli::register_batch_command},
    {"hold", ua::cli::register_hold_command},       {"serve", ua::cli::register_serve_command},
};

// Only the command named on the line is registered: building all ten with
// their options took 0.3 ms, twice what `plan` alone takes, in a `plan
// --offline` of 6 ms. Without a known name (help, a typo) all are, so that
// help lists every command.
void register_commands(CLI::App& app, ua::cli::Context& ctx, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with('-')) continue;  // the only global option, -v, takes no value
    for (const auto& c : kCommands) {
      if (c.name == arg) {
        c.add(app, ctx);
        return;
      }
    }
    break;
  }
  for (const auto& c : kCommands) c.add(app, ctx);
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena for every thread. The agent's threads (event loop,
  // blocking pool, scan workers) allocate little and rarely at once, and each
  // extra arena glibc makes for a new thread maps and faults in a heap of its
  // own: about a tenth of a short `plan --offline` (perf stat, A/B with
  // GLIBC_TUNABLES=glibc.malloc.arena_max=1, on tools/bench's real-sized tree).
  mallopt(M_ARENA_MAX, 1);
  CLI::App app{"upgrade-agent: verified, reversible upgrades of Kubernetes services kept in Terraform"};
  app.set_version_flag("--version", std::string("upgrade-agent ") + UA_VERSION);
  app.require_subcommand(1);
  ua::cli::Context ctx;
  app.add_flag("-v,--verbose", ctx.verbosity, "More log detail on stderr (repeat for more)");

  register_commands(app, ctx, argc, argv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? ua::cli::kDone : ua::cli::kBadInput;
  }
  ua::cli::setup_logging(ctx.verbosity);
  try {
    return ctx.action ? ctx.action() : ua::cli::kBadInput;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return ua::cli::kFailed;
  }
}
