#include "upgrade_agent/config/setup.hpp"

#include <algorithm>
#include <system_error>

namespace ua::config {

namespace {

// The settings `plan` and `edit` read before they read a file: a wrong value
// there would scan the wrong folders. Every other setting only matters to a
// saga, so for them it is a warning.
bool read_by_the_scan(const Problem& p) {
  return p.where == "UPGRADE_AGENT_SEARCH_ROOTS" || p.where.ends_with("$.search_roots");
}

std::string line_of(const Problem& p, std::string_view subject) {
  std::string out(subject);
  if (!out.empty()) out += ": ";
  return out + p.where + ": " + p.message;
}

}  // namespace

core::Error to_error(const std::vector<Problem>& problems, std::string_view subject, std::string_view operation) {
  core::Error e;
  e.system = "config";
  e.operation = std::string(operation);
  bool first = true;
  for (const auto& p : problems) {
    if (p.severity != Problem::Severity::error) continue;
    if (first) e.kind = p.kind;
    e.message += (first ? "" : "\n") + line_of(p, subject);
    first = false;
  }
  if (first) e.message = "no problem to report";
  return e;
}

core::Expected<Setup> load_settings_and_repo(const SetupRequest& request, const Environment& env) {
  auto loaded = load_settings(request.settings_file, env);
  Setup out;
  std::vector<Problem> fatal;
  for (auto& p : loaded.problems) {
    const bool error = p.severity == Problem::Severity::error;
    if (error && (request.needs != Needs::plan || read_by_the_scan(p))) {
      fatal.push_back(std::move(p));
    } else {
      out.warnings.push_back(line_of(p, "settings"));
    }
  }
  if (!fatal.empty()) return to_error(fatal, "settings", "load settings");

  out.settings = std::move(loaded.settings);
  if (request.repo) out.settings.repo = *request.repo;
  const auto& repo = out.settings.repo;
  std::error_code ec;
  if (!std::filesystem::is_directory(repo, ec)) {
    const bool absent = !std::filesystem::exists(repo, ec);
    return core::make_error(absent ? core::ErrorKind::not_found : core::ErrorKind::bad_input,
                            "repository " + repo.string() + " is not a folder", "config", "load settings");
  }

  if (request.config_file) out.settings.config = *request.config_file;
  out.config_path = out.settings.config_path();
  return out;
}

core::Expected<void> add_upgrade_config(Setup& setup, const SetupRequest& request) {
  core::Expected<void> done;
  // The default place may be empty for plan and edit; a file named on purpose must be there.
  const bool named = request.config_file.has_value() || setup.settings.config.has_value();
  std::error_code ec;
  if (!named && request.needs == Needs::plan && !std::filesystem::exists(setup.config_path, ec)) {
    setup.warnings.push_back("no upgrade config at " + setup.config_path.string() +
                             ": skip_image_patterns and helm_chart_repo_overrides are not applied");
    return done;
  }
  auto config = load_upgrade_config(setup.config_path);
  if (has_errors(config.problems) || !config.config) {
    return to_error(config.problems, "upgrade config " + setup.config_path.string(), "load upgrade config");
  }
  for (const auto& p : config.problems) setup.warnings.push_back(line_of(p, ""));
  setup.config = std::move(config.config);
  return done;
}

core::Expected<Setup> load_setup(const SetupRequest& request, const Environment& env) {
  auto setup = load_settings_and_repo(request, env);
  if (!setup) return setup;
  auto config = add_upgrade_config(*setup, request);
  if (!config) return config.error();
  return setup;
}

}  // namespace ua::config
