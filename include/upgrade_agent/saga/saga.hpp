#pragma once
// The whole upgrade of one image as one coroutine (the seed's steps 1-11):
// locate, decide, Starting report, backup, edit + commit + push, wait for CI,
// verify, report; rollback as an explicit branch; CAUTION stops one by one.
//
// Deadline and reserve: the ceiling counts from the saga's start (waiting for
// the stack's turn included). Every wait gets min(its own timeout, time left -
// reserve), where the reserve is what a rollback push and the final report
// need, so the final report is always attempted before the ceiling.
//
// Cancellation: total cancellation (the first SIGINT) ends the current wait;
// a pushed, unverified upgrade is then reverted and the report is sent.
// Terminal cancellation (the second) ends the saga at once.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/ports/ci.hpp"
#include "upgrade_agent/ports/cluster.hpp"
#include "upgrade_agent/ports/git_clone.hpp"
#include "upgrade_agent/ports/notifier.hpp"
#include "upgrade_agent/ports/probes.hpp"
#include "upgrade_agent/saga/events.hpp"
#include "upgrade_agent/saga/stack_locks.hpp"

namespace ua::runtime {
class BlockingPool;
}

namespace ua::saga {

using Duration = std::chrono::milliseconds;

enum class Outcome {
  upgraded,         // every stop committed, applied and verified
  already_current,  // nothing to do (a follow-up finds its image at the target)
  refused,          // policy said no
  not_referenced,   // no Terraform names the image
  bad_input,        // the request or the repository is wrong
  aborted,          // stopped before any commit (backup failed, publish refused)
  rolled_back,      // a stop failed and was reverted, and the revert verified
  critical,         // the rollback failed too: a person must step in
  cancelled,        // asked to stop
  failed,           // an outside system failed before anything was pushed
};
std::string_view to_string(Outcome outcome) noexcept;
std::optional<Outcome> outcome_named(std::string_view name) noexcept;  // the inverse of to_string

// Where a saga that a previous process left unfinished stands (the daemon
// reads it from its journal). The saga goes on from there instead of starting
// over, so a restart never pushes an upgrade twice and never leaves a pushed
// one unverified.
struct Resume {
  enum class Point {
    about_to_push,  // the commit `upgrade_subject` may have landed: look on the remote, else start over
    pushed,         // `upgrade_sha` is on the remote: wait for its CI, verify, roll back if it fails
    reverting,      // `upgrade_sha` was being reverted: look for the revert on the remote, else revert it
    reverted,       // `revert_sha` is on the remote: wait for its CI and verify the old version
    report,         // only the final report is left: post `report_text`
  };
  Point point = Point::about_to_push;
  std::string upgrade_subject;
  std::string upgrade_sha;
  std::string revert_sha;
  std::string failure;                // reverting, reverted: why the upgrade was rolled back
  std::string report_text;            // report
  Outcome outcome = Outcome::failed;  // report: what it tells
};
std::string_view to_string(Resume::Point point) noexcept;

// One upgrade request.
struct Job {
  std::string id;          // for logs and the journal
  core::ImageRef image;    // without tag
  std::string target_tag;  // the tag asked for
  std::string hub_link;    // where DIUN saw it, for the report
  // Where DIUN's Kubernetes provider saw the image ("namespace n8n, container
  // n8n"); "" when nobody said. The final report names it.
  std::string seen_in;
  std::optional<Resume> resume;
};

struct Timing {
  Duration ceiling = std::chrono::minutes(30);
  Duration ci_timeout = std::chrono::minutes(15);
  Duration verify_window_safe = std::chrono::minutes(2);
  Duration verify_window_caution = std::chrono::minutes(10);
  Duration rollback_window = std::chrono::minutes(1);  // the short window after a rollback
  Duration check_interval = std::chrono::seconds(15);
  Duration backup_timeout = std::chrono::seconds(300);
  Duration follow_up_window = std::chrono::minutes(10);
  Duration push_reserve = std::chrono::minutes(2);     // a rollback's revert + push
  Duration report_reserve = std::chrono::seconds(30);  // the final report
  Duration lookup_timeout = std::chrono::seconds(60);  // one read of the cluster or a probe

  // From the settings; the reserves shrink with a short ceiling (smoke
  // tests run a whole saga in seconds) but never below a tenth of it.
  static Timing from(const config::Settings& settings);
};

// The upgrade decision (the same function `plan` shows).
class Decider {
 public:
  virtual ~Decider() = default;
  virtual boost::asio::awaitable<core::Expected<plan::Decision>> decide(plan::DecisionRequest request,
                                                                        core::Deadline deadline) = 0;
};

// The narrow ports a saga talks to; each step takes only the ones it needs.
struct Ports {
  ports::GitClone& git;
  ports::Ci& ci;
  ports::Cluster& cluster;
  ports::HttpHealth& http;
  ports::Monitors& monitors;
  ports::Notifier& notifier;
  Decider& decider;
  runtime::BlockingPool& pool;  // scanning the worktree
  StackLocks& locks;            // one saga per stack
};

struct StopResult {
  std::string from;
  std::string to;
  std::string commit;  // pushed upgrade commit
  bool verified = false;
};

struct Result {
  Outcome outcome = Outcome::failed;
  std::string stack;  // the service's stack; empty when the saga ended before locating it
  std::string from;   // the tag before the saga
  std::string to;     // the tag asked for
  std::string live;   // the version running when the saga ended, as far as it knows
  std::string risk;   // SAFE, CAUTION, UNKNOWN ("" before the decision)
  std::vector<StopResult> stops;
  std::string rollback_commit;
  std::string reason;  // for people: why it ended this way
  std::optional<std::string> follow_up_of;  // an upgrade of the stack within the follow-up window
  std::string seen_in;                      // Job::seen_in
  std::vector<core::Error> report_failures;  // reports that could not be delivered
  std::vector<std::string> reports;          // every report text that was delivered
};

// Exit codes of DESIGN.md: 0 upgraded, 1 failed/rolled back/aborted/critical,
// 2 bad input, 3 not referenced, 4 already at target, 5 refused.
int exit_code(Outcome outcome) noexcept;

struct Context {
  const config::UpgradeConfig& config;
  config::StepMode step_mode = config::StepMode::stops;
  Timing timing;
  bool config_changes = true;  // setting config_changes: apply documented renames with the version
};

// Never throws; always returns after attempting the final report, before the ceiling.
boost::asio::awaitable<Result> run_upgrade(Ports ports, Context context, Job job, Observer& observer);

}  // namespace ua::saga
