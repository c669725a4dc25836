#pragma once
// What every command starts from, loaded in one place (`plan`, `edit`, `run`,
// `batch`, and `serve`): the settings (defaults, then `--settings FILE`, then
// the environment), the repository, and the upgrade config, with the command
// line's `--repo` and `--config` over both. Problems become a core::Error
// here, at the config module's edge, by their kind.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/problem.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::config {

struct SetupRequest {
  std::optional<std::filesystem::path> settings_file;  // --settings
  std::optional<std::filesystem::path> repo;           // --repo, over UPGRADE_AGENT_REPO
  std::optional<std::filesystem::path> config_file;    // --config, over UPGRADE_AGENT_CONFIG
  // Needs::plan (`plan`, `edit`, which only read files): only the settings
  // the scan reads must be right (the others are warnings), and the default
  // upgrade config may be absent. Needs::run and Needs::serve: every setting
  // must be right and the upgrade config must load.
  Needs needs = Needs::run;
};

struct Setup {
  Settings settings;                    // with --repo and --config applied
  std::optional<UpgradeConfig> config;  // unset only for Needs::plan when the default file is absent
  std::filesystem::path config_path;
  std::vector<std::string> warnings;    // for people, one line each: the caller logs them
};

// Errors (system "config"): bad_input (a setting or the config's content is
// wrong, the repository is not a folder), not_found (the settings file, the
// upgrade config or the repository does not exist). Nothing is read twice.
core::Expected<Setup> load_setup(const SetupRequest& request, const Environment& env);

// The same in its two steps, for commands that check more in between (`run`
// and `batch` name missing secrets and bad batch lines before the config):
// the settings and the repository (Setup::config unset), then the upgrade
// config they name.
core::Expected<Setup> load_settings_and_repo(const SetupRequest& request, const Environment& env);
core::Expected<void> add_upgrade_config(Setup& setup, const SetupRequest& request);

// The errors among `problems` as one Error of system "config": the kind of
// the first error, one line per error ("<subject>: <where>: <message>"), and
// `operation` saying what was loaded. Warnings are left out; with no error at
// all the result is `internal` (a caller's bug).
core::Error to_error(const std::vector<Problem>& problems, std::string_view subject, std::string_view operation);

}  // namespace ua::config
