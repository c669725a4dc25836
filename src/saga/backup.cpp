// Step 6: a Job made from the backup CronJob, awaited to completion. Any
// failure here aborts the upgrade before anything is committed.
#include <algorithm>

#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxJobName = 63;  // DNS-1123 label

std::string job_name(const std::string& stack, std::int64_t epoch) {
  const std::string time = "-" + std::to_string(epoch);
  std::string prefix = "pre-upgrade-" + stack;
  if (prefix.size() + time.size() > kMaxJobName) prefix.resize(kMaxJobName - time.size());
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return prefix + time;
}

// A plan that names no CronJob backs up from the namespace's own, if it has one.
asio::awaitable<core::Expected<std::optional<std::string>>> find_backup_cronjob(ports::Cluster& cluster,
                                                                                const std::string& ns,
                                                                                core::Deadline deadline) {
  auto names = co_await cluster.list_cronjobs(ns, deadline);
  if (!names) co_return names.error();
  const auto it = std::find_if(names->begin(), names->end(),
                               [](const std::string& n) { return n.find("backup") != std::string::npos; });
  if (it == names->end()) co_return std::optional<std::string>{};
  co_return std::optional<std::string>{*it};
}

}  // namespace

asio::awaitable<core::Expected<BackupDone>> back_up(ports::Cluster& cluster, const plan::BackupPlan& backup,
                                                    const std::string& stack, std::int64_t epoch,
                                                    core::Deadline deadline, Reporter& reporter) {
  BackupDone done;
  if (!backup.would_back_up) {
    if (backup.db_backed) {
      // DB-backed but nothing to back up with (no backup_infrastructure entry).
      co_return core::make_error(core::ErrorKind::bad_input, backup.description, "saga", "back up");
    }
    done.commit_line = backup.commit_line.empty() ? "no (not DB-backed)" : backup.commit_line;
    reporter.finished(Step::backup, "no backup: " + backup.description);
    co_return done;
  }
  ports::BackupJob job;
  job.namespace_name = backup.namespace_name;
  job.cronjob = backup.cronjob;
  job.job_name = job_name(stack, epoch);
  if (job.cronjob.empty()) {
    auto found = co_await find_backup_cronjob(cluster, job.namespace_name, deadline);
    if (!found) co_return found.error();
    if (!*found) {
      done.commit_line = "skipped (no backup CronJob in namespace " + job.namespace_name + ")";
      reporter.finished(Step::backup, done.commit_line);
      co_return done;
    }
    job.cronjob = **found;
  }
  reporter.progress(Step::backup, "creating job " + job.job_name + " from cronjob/" + job.cronjob + " in " +
                                      job.namespace_name);
  auto created = co_await cluster.create_backup_job(job, deadline);
  if (!created && created.error().is(core::ErrorKind::conflict)) {
    // The name is the stack and the second: only this agent's own earlier
    // attempt (a saga restarted within that second) can hold it. Its backup
    // is as good as a new one.
    reporter.progress(Step::backup, "job " + job.job_name + " exists already (an earlier attempt); waiting for it");
  } else if (!created) {
    co_return created.error();
  } else {
    reporter.progress(Step::backup, "job " + job.job_name + " created; waiting for it to complete");
  }
  auto outcome = co_await cluster.wait_for_job(job, deadline);
  if (!outcome) co_return outcome.error();
  if (outcome->state != ports::JobState::complete) {
    std::string why = "backup job " + job.job_name + " failed";
    if (!outcome->reason.empty()) why += ": " + outcome->reason;
    if (!outcome->log_tail.empty()) why += "\nlast log lines:\n" + outcome->log_tail;
    co_return core::make_error(core::ErrorKind::unavailable, why, "kubernetes", "back up");
  }
  done.job = job.job_name;
  done.commit_line = "yes (job: " + job.job_name + ")";
  std::vector<std::string> evidence;
  if (!outcome->log_tail.empty()) evidence.push_back(outcome->log_tail);
  reporter.finished(Step::backup, "job " + job.job_name + " complete", std::move(evidence));
  co_return done;
}

}  // namespace ua::saga
