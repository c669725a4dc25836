#include "upgrade_agent/plan/backup.hpp"

namespace ua::plan {

BackupPlan backup_plan(const config::UpgradeConfig& config, std::string_view stack, std::string_view namespace_name,
                       core::Risk risk) {
  BackupPlan out;
  out.job_name = "pre-upgrade-" + std::string(stack) + "-<unix time>";
  const std::string ns(namespace_name);
  const auto conditional = [&](const std::string& why) {
    out.would_back_up = true;
    out.namespace_name = ns;
    out.description = why + ": a Job " + out.job_name + " from the backup CronJob in namespace " + ns +
                      ", if one exists there (listed at run time)";
    out.commit_line = "yes (job: " + out.job_name + ") if namespace " + ns + " has a backup CronJob, else skipped";
  };
  const auto* db = config.db_backed(stack);
  if (db && db->shared) {
    out.db_backed = true;
    const auto infra = config.backup_infrastructure.find(db->type);
    if (infra == config.backup_infrastructure.end()) {
      out.description = std::string(stack) + " is DB-backed (" + db->type +
                        ", shared) but backup_infrastructure has no '" + db->type + "' entry: the run would abort";
      out.commit_line = "failed (no backup_infrastructure." + db->type + ")";
      return out;
    }
    out.would_back_up = true;
    out.cronjob = infra->second.cronjob_name;
    out.namespace_name = infra->second.namespace_name;
  } else if (db && db->dedicated) {
    out.db_backed = true;
    if (!db->backup_cronjob) {
      conditional(std::string(stack) + " has a dedicated " + db->type + " database");
      return out;
    }
    out.would_back_up = true;
    out.cronjob = *db->backup_cronjob;
    out.namespace_name = db->backup_namespace.value_or(ns);
  } else if (db) {
    out.db_backed = true;
    conditional(std::string(stack) + " is DB-backed (" + db->type + ")");
    return out;
  } else if (risk == core::Risk::caution) {
    conditional("CAUTION (the seed backs up even when not DB-backed)");
    return out;
  } else {
    out.description = "none: " + std::string(stack) + " is not in db_backed_services";
    out.commit_line = "no (not DB-backed)";
    return out;
  }
  out.description = "Job " + out.job_name + " from cronjob/" + out.cronjob + " in namespace " + out.namespace_name +
                    " (as kubectl create job --from=cronjob/" + out.cronjob + "), awaited to completion; failure aborts";
  out.commit_line = "yes (job: " + out.job_name + ")";
  return out;
}

}  // namespace ua::plan
