#include "sandbox/world/scenario.hpp"

#include <functional>

namespace ua::sandbox {

namespace {

struct Entry {
  NamedScenario named;
  std::function<void(Scenario&)> apply;
};

const std::vector<Entry>& entries() {
  using kubernetes::Health;
  using kubernetes::JobOutcome;
  static const std::vector<Entry> all = {
      {{"healthy", "every system answers and every upgrade is healthy"}, [](Scenario&) {}},
      {{"demo", "immich v2.8.0 crash-loops; everything else is healthy"},
       [](Scenario& s) {
         s.new_pods = Health::crash_loop;
         s.troubled_targets = {"ghcr.io/immich-app/immich-server:v2.8.0"};
       }},
      {{"ci-failure", "the first pipeline fails, later ones pass"},
       [](Scenario& s) {
         s.ci = CiEnd::failure;
         s.ci_troubled = 1;
       }},
      {{"ci-always-fails", "every pipeline fails (a rollback cannot be applied)"},
       [](Scenario& s) { s.ci = CiEnd::failure; }},
      {{"ci-never", "the first pipeline never finishes"},
       [](Scenario& s) {
         s.ci = CiEnd::never;
         s.ci_troubled = 1;
       }},
      {{"ci-slow", "pipelines run for a while, then pass"},
       [](Scenario& s) {
         s.ci = CiEnd::slow;
         s.ci_running_reads = 6;
       }},
      {{"crash-loop", "pods of a new version crash-loop"}, [](Scenario& s) { s.new_pods = Health::crash_loop; }},
      {{"image-pull", "pods of a new version cannot pull their image"},
       [](Scenario& s) { s.new_pods = Health::image_pull_error; }},
      {{"not-rolled", "CI applies, but the pods keep running the old version"},
       [](Scenario& s) { s.rollout_stalls = true; }},
      {{"http-502", "the ingress of an upgraded service answers 502"}, [](Scenario& s) { s.http_status = 502; }},
      {{"kuma-down", "the Uptime Kuma monitor of an upgraded service goes down"},
       [](Scenario& s) { s.kuma_down = true; }},
      {{"backup-failed", "the pre-upgrade backup Job fails"}, [](Scenario& s) { s.backup = JobOutcome::failed; }},
      {{"backup-never", "the pre-upgrade backup Job never finishes"},
       [](Scenario& s) { s.backup = JobOutcome::never_finish; }},
      {{"bench", "healthy, and CI pushes no state commits (benchmarks)"},
       [](Scenario& s) { s.state_commits = false; }},
      {{"slack-404", "the Slack webhook answers 404 no_service to every post"},
       [](Scenario& s) { s.slack_always = "no_service"; }},
      {{"slack-429", "Slack rate-limits the first post (429, Retry-After 1)"},
       [](Scenario& s) { s.slack_first = "rate_limited"; }},
  };
  return all;
}

}  // namespace

const std::vector<NamedScenario>& scenario_names() {
  static const std::vector<NamedScenario> names = [] {
    std::vector<NamedScenario> out;
    for (const auto& e : entries()) out.push_back(e.named);
    return out;
  }();
  return names;
}

core::Expected<Scenario> scenario_named(std::string_view name) {
  for (const auto& e : entries()) {
    if (e.named.name != name) continue;
    Scenario s;
    s.name = std::string(e.named.name);
    s.description = std::string(e.named.description);
    e.apply(s);
    return s;
  }
  std::string known;
  for (const auto& e : entries()) known += (known.empty() ? "" : ", ") + std::string(e.named.name);
  return core::make_error("unknown scenario \"" + std::string(name) + "\"; known: " + known);
}

}  // namespace ua::sandbox
