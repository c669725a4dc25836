#pragma once
// Step 6, decided (not done): which backup a run would take before the bump.
#include <string>
#include <string_view>

#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/risk.hpp"

namespace ua::plan {

// Decided from db_backed_services and backup_infrastructure.
struct BackupPlan {
  bool db_backed = false;
  bool would_back_up = false;
  std::string cronjob;         // the CronJob a Job would be made from ("postgresql-backup")
  std::string namespace_name;  // where ("dbaas")
  std::string job_name;        // "pre-upgrade-<stack>-<unix time>": the time is the run's
  std::string description;     // for people
  std::string commit_line;     // the commit message's "DB backup:" value
};

BackupPlan backup_plan(const config::UpgradeConfig& config, std::string_view stack, std::string_view namespace_name,
                       core::Risk risk);

}  // namespace ua::plan
