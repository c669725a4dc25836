// `upgrade-agent config check`: validates the upgrade config and the settings,
// naming every problem with its JSON path or variable.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
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
  bool json = false;
};

const char* severity_of(const config::Problem& p) {
  return p.severity == config::Problem::Severity::error ? "error" : "warning";
}

// Problems are diagnostics: stderr, so `config check >/dev/null` still says why it failed.
void print(const config::Problem& p) {
  std::cerr << fmt::format("{}: {}: {}\n", severity_of(p), p.where, p.message);
}

int run_config_check(const ConfigCheckOptions& opts) {
  std::optional<std::filesystem::path> settings_file;
  if (!opts.settings_file.empty()) settings_file = opts.settings_file;
  const auto settings = config::load_settings(settings_file, config::process_environment());
  const std::filesystem::path config_file =
      opts.config_file.empty() ? settings.settings.config_path() : std::filesystem::path(opts.config_file);
  const auto upgrade = config::load_upgrade_config(config_file);

  std::vector<config::Problem> problems = settings.problems;
  problems.insert(problems.end(), upgrade.problems.begin(), upgrade.problems.end());
  // Missing secrets are not a broken file, but `run` and `serve` would refuse to start.
  for (const auto& p : config::missing_requirements(settings.settings, config::Needs::serve)) {
    problems.push_back({config::Problem::Severity::warning, p.where, p.message + " (run/serve will refuse to start)"});
  }
  const bool ok = !config::has_errors(problems);
  if (opts.json) {
    boost::json::array list;
    for (const auto& p : problems) {
      boost::json::object o;
      o["severity"] = severity_of(p);
      o["where"] = p.where;
      o["message"] = p.message;
      list.push_back(std::move(o));
    }
    boost::json::object doc;
    doc["ok"] = ok;
    doc["config"] = config_file.string();
    doc["problems"] = std::move(list);
    std::cout << boost::json::serialize(doc) << "\n";
    return ok ? kDone : kBadInput;
  }
  for (const auto& p : problems) print(p);

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
  check->add_flag("--json", opts->json, "print {ok, config, problems: [{severity, where, message}]} on stdout");
  check->callback([&ctx, opts] { ctx.action = [opts] { return run_config_check(*opts); }; });
}

}  // namespace ua::cli
