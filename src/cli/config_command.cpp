// `upgrade-agent config check`: validates the upgrade config and the settings,
// naming every problem with its JSON path or variable.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"

namespace ua::cli {

namespace {

struct ConfigCheckOptions {
  std::string config_file;
  std::string settings_file;
};

void print(const config::Problem& p, const char* prefix = "") {
  const char* severity = p.severity == config::Problem::Severity::error ? "error" : "warning";
  std::cout << fmt::format("{}{}: {}: {}\n", prefix, severity, p.where, p.message);
}

int run_config_check(const ConfigCheckOptions& opts) {
  std::optional<std::filesystem::path> settings_file;
  if (!opts.settings_file.empty()) settings_file = opts.settings_file;
  const auto settings = config::load_settings(settings_file, config::process_environment());
  const std::filesystem::path config_file =
      opts.config_file.empty() ? settings.settings.config_path() : std::filesystem::path(opts.config_file);
  const auto upgrade = config::load_upgrade_config(config_file);

  for (const auto& p : settings.problems) print(p);
  for (const auto& p : upgrade.problems) print(p);
  // Missing secrets are not a broken file, but `run` and `serve` would refuse to start.
  for (const auto& p : config::missing_requirements(settings.settings, config::Needs::serve)) {
    print({config::Problem::Severity::warning, p.where, p.message + " (run/serve will refuse to start)"});
  }

  const bool ok = !config::has_errors(settings.problems) && !config::has_errors(upgrade.problems);
  if (ok) {
    const auto& c = *upgrade.config;
    std::cout << fmt::format(
        "config {}: OK ({} image overrides, {} chart repos, {} database-backed stacks, {} skip patterns, {} keywords)\n",
        config_file.string(), c.github_repo_overrides.size(), c.helm_chart_repo_overrides.size(),
        c.db_backed_services.size(), c.skip_image_patterns.size(), c.breaking_change_keywords.size());
    std::cout << fmt::format("settings: OK (repo {}, ceiling {}, rate limit {}/{})\n",
                             settings.settings.repo.string(), config::format_duration(settings.settings.ceiling),
                             settings.settings.rate_limit.count,
                             config::format_duration(settings.settings.rate_limit.window));
    std::string roots;
    for (const auto& r : settings.settings.search_roots) roots += (roots.empty() ? "" : ", ") + r + "/";
    std::cout << fmt::format("search roots: {}; config changes from release notes: {}\n", roots,
                             settings.settings.config_changes ? "applied" : "flagged only");
    return kDone;
  }
  return kBadInput;
}

}  // namespace

void register_config_command(CLI::App& app, Context& ctx) {
  auto* config = app.add_subcommand("config", "Inspect the agent's configuration");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate upgrade-config.json and the settings; exit 2 naming each problem");
  auto opts = std::make_shared<ConfigCheckOptions>();
  check->add_option("--config", opts->config_file, "upgrade-config.json (default: <repo>/.claude/reference/upgrade-config.json)");
  check->add_option("--settings", opts->settings_file, "settings file (JSON); environment variables override it");
  check->callback([&ctx, opts] { ctx.action = [opts] { return run_config_check(*opts); }; });
}

}  // namespace ua::cli
