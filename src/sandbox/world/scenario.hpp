#pragma once
// What the simulated world does when the agent upgrades something: how CI
// ends, how the pods of a new version behave, whether the backup Job
// finishes, how Slack and Uptime Kuma answer. A scenario is plain data; the
// sandbox reads it each time CI applies a commit, so a test may change it
// between two upgrades.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/kubernetes/kube_simulator.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::sandbox {

enum class CiEnd { success, failure, never, slow };

struct Scenario {
  std::string name = "healthy";
  std::string description = "every system answers and every upgrade is healthy";

  // CI: how the agent's pipelines end. `ci_troubled` counts the pipelines
  // that end as `ci` says, oldest first (0: all of them); later ones succeed,
  // so a rollback's own pipeline can pass after the upgrade's failed.
  CiEnd ci = CiEnd::success;
  unsigned ci_troubled = 0;
  unsigned ci_running_reads = 1;  // reads of a pipeline that show it running

  // Pods of a version other than the one first deployed ("troubled" pods).
  kubernetes::Health new_pods = kubernetes::Health::healthy;
  bool rollout_stalls = false;  // CI applies, the pods keep running the old tags
  int http_status = 200;        // what the troubled service's ingress answers
  bool kuma_down = false;       // its Uptime Kuma monitor goes down
  // Only these "image:tag" targets are troubled; empty: any tag that differs
  // from the one first deployed.
  std::vector<std::string> troubled_targets;

  // CI's own [CI SKIP] state commit after each apply (off for benchmarks,
  // where hundreds of them would only measure git contention).
  bool state_commits = true;

  // The pre-upgrade backup Job.
  kubernetes::JobOutcome backup = kubernetes::JobOutcome::complete;

  // Slack: a contract answer given to every post ("no_service": 404), or to
  // the first post only ("rate_limited": 429 with Retry-After).
  std::optional<std::string> slack_always;
  std::optional<std::string> slack_first;
};

struct NamedScenario {
  std::string_view name;
  std::string_view description;
};

// Every scenario `sandbox --scenario` knows, in a stable order.
const std::vector<NamedScenario>& scenario_names();
// A named scenario; bad_input naming the known ones otherwise.
core::Expected<Scenario> scenario_named(std::string_view name);

}  // namespace ua::sandbox
