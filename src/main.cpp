// The command line only: parse, hand over to a command, map its outcome to an exit code.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "cli/commands.hpp"

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

  ua::cli::register_config_command(app, ctx);
  ua::cli::register_edit_command(app, ctx);
  ua::cli::register_plan_command(app, ctx);
  ua::cli::register_run_command(app, ctx);
  ua::cli::register_sandbox_command(app, ctx);
  ua::cli::register_demo_command(app, ctx);
  ua::cli::register_smoke_command(app, ctx);
  ua::cli::register_batch_command(app, ctx);
  ua::cli::register_hold_command(app, ctx);
  ua::cli::register_serve_command(app, ctx);

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
