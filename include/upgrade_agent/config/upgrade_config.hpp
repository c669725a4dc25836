#pragma once
// `upgrade-config.json`, the seed's file, loaded in its unchanged format.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/problem.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::config {

struct DbBackedService {
  std::string type;  // "postgresql" | "mysql"
  std::optional<std::string> db_name;
  bool shared = false;
  bool dedicated = false;
  std::optional<std::string> backup_cronjob;    // dedicated: CronJob to copy
  std::optional<std::string> backup_namespace;  // dedicated: where it lives
  std::optional<std::string> notes;
};

struct BackupInfrastructure {
  std::string cronjob_name;
  std::string namespace_name;
  std::string credential_secret;
  std::string credential_key;
  std::string host;
  std::string backup_pvc;
};

struct UpgradeConfig {
  std::map<std::string, std::string> github_repo_overrides;      // image (as written) -> owner/repo
  std::map<std::string, std::string> helm_chart_repo_overrides;  // chart repo URL -> owner/repo
  std::map<std::string, DbBackedService> db_backed_services;     // stack -> database
  std::map<std::string, BackupInfrastructure> backup_infrastructure;  // db type -> shared backup
  std::vector<std::string> version_jump_always_step;             // stacks
  std::map<std::string, std::string> auto_detect_rules;          // pattern -> prose (documentation)
  std::vector<std::string> skip_image_patterns;                  // globs
  std::vector<std::string> breaking_change_keywords;

  // `github_repo_overrides` looked up by normalised image name, so that
  // "vaultwarden/server" and "docker.io/vaultwarden/server" are one key.
  [[nodiscard]] std::optional<std::string> github_repo_override(const core::ImageRef& image) const;
  // `helm_chart_repo_overrides` looked up ignoring a trailing slash.
  [[nodiscard]] std::optional<std::string> helm_chart_repo(std::string_view chart_repo_url) const;
  [[nodiscard]] bool always_step(std::string_view stack) const;
  [[nodiscard]] const DbBackedService* db_backed(std::string_view stack) const;
};

struct UpgradeConfigLoad {
  std::optional<UpgradeConfig> config;  // set unless there is an error
  std::vector<Problem> problems;        // errors (wrong types/shapes) and warnings (unknown keys)
};

UpgradeConfigLoad parse_upgrade_config(std::string_view json_text);
UpgradeConfigLoad load_upgrade_config(const std::filesystem::path& file);

}  // namespace ua::config
