#pragma once
// The saga's steps, one awaitable function each, named after the seed's step.
// Each takes only the ports and values it needs; saga.cpp calls them in order.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "saga/budget.hpp"
#include "saga/reporter.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/terraform/config_changes.hpp"
#include "upgrade_agent/saga/saga.hpp"
#include "upgrade_agent/terraform/edit.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::saga {

// Step 1: where the image is written at the remote tip, and what would move.
struct Located {
  std::string tip;
  terraform::Findings findings;
  terraform::ChangePlan changes;
  std::size_t primary = 0;  // the reference that names the request in reports
  std::vector<terraform::ConfigFile> config_files;  // the stack's files, for config changes
  [[nodiscard]] const terraform::Reference& reference() const { return findings.references[primary]; }
  [[nodiscard]] std::string service() const {
    const auto& r = reference();
    return r.service.empty() ? r.stack : r.service;
  }
};

// What an edit moves to: an image tag, or (pattern C) a chart version.
struct EditTarget {
  std::string tag;
  std::optional<std::string> chart_version;
  terraform::ConfigChanges config_changes;  // renames the same commit applies
  std::map<std::string, terraform::PinMove> pins;  // the step's digest pins (plan::Step::pins)
};

// With `before`: the files as they were before that commit (a resumed saga).
boost::asio::awaitable<core::Expected<Located>> locate(ports::GitClone& git, const config::UpgradeConfig& config,
                                                       const Job& job, EditTarget target, core::Deadline deadline,
                                                       std::string before = {});

// Steps 2-4 and the messages: the same decision `plan` shows.
boost::asio::awaitable<core::Expected<plan::Decision>> decide(Decider& decider, const Located& located,
                                                                 const Job& job, const Context& context,
                                                                 core::Deadline deadline);

// Step 6. The "DB backup:" line of the commit message on success.
struct BackupDone {
  std::string commit_line;
  std::string job;
};
boost::asio::awaitable<core::Expected<BackupDone>> back_up(ports::Cluster& cluster, const plan::BackupPlan& backup,
                                                           const std::string& stack, std::int64_t epoch,
                                                           core::Deadline deadline, Reporter& reporter);

// Steps 7-8: edit, commit, push (re-applied on a moved remote).
boost::asio::awaitable<core::Expected<ports::Pushed>> publish(ports::GitClone& git,
                                                              const config::UpgradeConfig& config, const Job& job,
                                                              EditTarget target, std::vector<std::string> paths,
                                                              std::string message, core::Deadline deadline,
                                                              Reporter& reporter);

// Step 9.
boost::asio::awaitable<core::Expected<ports::CiOutcome>> wait_for_ci(ports::Ci& ci, std::string sha,
                                                                     core::Deadline deadline, Reporter& reporter,
                                                                     Step step = Step::wait_for_ci);

// Step 10: the verification window.
struct VerifyTarget {
  std::string namespace_name;
  std::string service;  // app=<service>, the monitor's name
  core::ImageRef image;
  std::set<std::string> tags;  // the tags the image's containers must run
  // Where a container's image is pinned by digest: the digests its imageID
  // may carry (the pushed pins).
  std::set<std::string> digests;
  Duration window{};
  Duration interval{};
  Duration lookup_timeout{};
  // The latest any round may run to (the saga's budget for this path): a
  // round started inside the window finishes, each check within its own
  // lookup timeout, even after the window's end.
  core::Deadline limit = core::Deadline::max();
};
struct Verified {
  bool healthy = false;
  std::string reason;                 // why not
  std::string summary;                // "pods ready, HTTP OK, Uptime Kuma up"
  std::vector<std::string> evidence;  // what each round saw, the failing check last
};
boost::asio::awaitable<core::Expected<Verified>> verify(ports::Cluster& cluster, ports::HttpHealth& http,
                                                        ports::Monitors& monitors, VerifyTarget target,
                                                        core::Deadline window_end, Reporter& reporter,
                                                        Step step = Step::verify);

// Step 10b: revert exactly the upgrade commit, push, CI, short verification.
struct RolledBack {
  bool ok = false;
  std::string sha;     // the revert commit, when pushed
  std::string status;  // "verified: pods ready, HTTP OK" or what failed
};
struct RollbackPorts {
  ports::GitClone& git;
  ports::Ci& ci;
  ports::Cluster& cluster;
  ports::HttpHealth& http;
  ports::Monitors& monitors;
};
// `pushed_revert`: the revert is already on the remote (a resumed saga); only CI and verification remain.
boost::asio::awaitable<RolledBack> roll_back(RollbackPorts ports, std::string upgrade_sha, std::string subject,
                                             VerifyTarget previous, const Budget& budget, Reporter& reporter,
                                             std::string pushed_revert = {});

// Step 11 (and 5): one Slack message. Never fails the saga: a failure is
// recorded in the result and the observer, logged by the caller.
boost::asio::awaitable<void> report(ports::Notifier& notifier, std::string text, core::Deadline deadline,
                                    Reporter& reporter, Result& result, Step step = Step::report);

// The seed's message texts.
std::string success_text(const Result& result, const std::string& verification);
std::string failed_text(const Result& result, const std::string& rollback_status);
std::string critical_text(const Result& result, const std::string& detail);
std::string aborted_text(const Result& result);

// The tags the image's containers carry once `target` is applied, reference by reference.
std::set<std::string> expected_tags(const terraform::Findings& findings, const terraform::ChangePlan& changes);
std::set<std::string> current_tags(const terraform::Findings& findings);
// The digests pinned references carry once `changes` are applied, and now.
std::set<std::string> expected_digests(const terraform::Findings& findings, const terraform::ChangePlan& changes);
std::set<std::string> current_digests(const terraform::Findings& findings);
terraform::EditRequest edit_request(const config::UpgradeConfig& config, const EditTarget& target);

}  // namespace ua::saga
