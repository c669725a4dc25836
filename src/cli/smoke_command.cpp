// `upgrade-agent smoke [--budget SECONDS]`: a timed end-to-end check against
// the built-in sandbox. Each case runs in a fresh world with short windows and
// checks what the outside saw (the remote's commits, the Slack messages), not
// only the outcome. Exits 1 when an expectation fails or the budget runs out.
//
// `smoke --staging IMAGE:TAG [--expect OUTCOME]`: one real saga against the
// systems the settings name (a staging cluster and its infra repository), the
// same checks from the saga's side: its outcome, the commits it pushed, every
// report delivered, within the budget.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/sandbox_runs.hpp"
#include "cli/temp_folder.hpp"
#include "sandbox/world/sandbox.hpp"
#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/service/run_jobs.hpp"

namespace ua::cli {

namespace {

struct SmokeCase {
  const char* scenario;
  const char* request;
  saga::Outcome outcome;
  std::size_t upgrade_commits;  // "upgrade: ..." commits the remote gets
  std::size_t revert_commits;   // "Revert ..." commits
  const char* last_slack;       // the final report's prefix
};

constexpr SmokeCase kCases[] = {
    {"healthy", "vaultwarden/server:1.35.5", saga::Outcome::upgraded, 1, 0, "[Upgrade Agent] SUCCESS"},
    {"crash-loop", "vaultwarden/server:1.35.5", saga::Outcome::rolled_back, 1, 1,
     "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"ci-failure", "vaultwarden/server:1.35.5", saga::Outcome::rolled_back, 1, 1,
     "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"backup-failed", "docker.n8n.io/n8nio/n8n:1.81.0", saga::Outcome::aborted, 0, 0, "[Upgrade Agent] ABORTED"},
};

struct Checked {
  std::vector<std::string> problems;
  std::chrono::milliseconds elapsed{0};
};

Checked run_case(const SmokeCase& c, std::chrono::milliseconds budget_left, saga::Observer& observer) {
  Checked out;
  auto folder = TempFolder::make("upgrade-agent-smoke");
  if (!folder) return {{folder.error().describe()}};
  auto scenario = sandbox::scenario_named(c.scenario);
  if (!scenario) return {{scenario.error().describe()}};
  sandbox::SandboxOptions options;
  options.dir = folder->path();
  options.scenario = *scenario;
  auto world = sandbox::Sandbox::start(options);
  if (!world) return {{"the sandbox did not start: " + world.error().describe()}};
  const auto before = (*world)->remote_commits().size();
  auto job = job_for(c.request, std::string("smoke-") + c.scenario);
  if (!job) return {{job.error().describe()}};
  service::RunJobsOptions run_options;
  run_options.budget = budget_left;
  auto run = service::run_jobs((*world)->environment(), {*job}, observer, run_options);
  out.elapsed = run.elapsed;
  if (run.failed) {
    out.problems.push_back("the agent could not start: " + run.failed->describe());
    return out;
  }
  if (run.over_budget) out.problems.emplace_back("the budget ran out");
  if (run.results.size() != 1) {
    out.problems.emplace_back("the saga did not end");
    return out;
  }
  const auto& r = run.results.front();
  if (r.outcome != c.outcome) {
    out.problems.push_back(fmt::format("outcome {} ({}), wanted {}", saga::to_string(r.outcome), r.reason,
                                       saga::to_string(c.outcome)));
  }
  auto commits = (*world)->remote_commits();
  commits.resize(commits.size() - std::min(before, commits.size()));
  const auto upgrades = static_cast<std::size_t>(std::count_if(
      commits.begin(), commits.end(), [](const sandbox::RemoteCommit& x) { return x.subject.rfind("upgrade: ", 0) == 0; }));
  const auto reverts = static_cast<std::size_t>(std::count_if(
      commits.begin(), commits.end(), [](const sandbox::RemoteCommit& x) { return x.subject.rfind("Revert ", 0) == 0; }));
  if (upgrades != c.upgrade_commits) {
    out.problems.push_back(fmt::format("{} upgrade commits on the remote, wanted {}", upgrades, c.upgrade_commits));
  }
  if (reverts != c.revert_commits) {
    out.problems.push_back(fmt::format("{} revert commits on the remote, wanted {}", reverts, c.revert_commits));
  }
  const auto slack = (*world)->slack_messages();
  if (slack.empty() || slack.back().rfind(c.last_slack, 0) != 0) {
    out.problems.push_back(fmt::format("the last Slack message is \"{}\", wanted one starting \"{}\"",
                                       slack.empty() ? std::string("(none)") : slack.back().substr(0, 80),
                                       c.last_slack));
  }
  for (const auto& p : (*world)->problems()) out.problems.push_back("sandbox: " + p);
  return out;
}

// The steps go to the log (stderr, -v shows them); stdout keeps the table.
struct Quiet final : saga::Observer {
  void on_event(const saga::Event& e) override {
    spdlog::debug("[{}] {} {} {}", e.job, saga::to_string(e.step), saga::to_string(e.kind), e.detail);
  }
};

struct SmokeOptions {
  double budget_seconds = 120.0;
  std::string staging;                // IMAGE:TAG; empty: the sandbox's cases
  std::string expect = "upgraded";    // with --staging
};

// What a staging run must show: the outcome asked for, a pushed commit per
// stop (and the revert, for a rollback), and every report delivered.
std::vector<std::string> staging_problems(const saga::Result& r, saga::Outcome expected) {
  std::vector<std::string> problems;
  if (r.outcome != expected) {
    problems.push_back(fmt::format("outcome {} ({}), wanted {}", saga::to_string(r.outcome), r.reason,
                                   saga::to_string(expected)));
  }
  const bool pushed = expected == saga::Outcome::upgraded || expected == saga::Outcome::rolled_back;
  if (pushed && (r.stops.empty() || std::any_of(r.stops.begin(), r.stops.end(),
                                                 [](const saga::StopResult& s) { return s.commit.empty(); }))) {
    problems.emplace_back("no pushed upgrade commit");
  }
  if (expected == saga::Outcome::rolled_back && r.rollback_commit.empty()) problems.emplace_back("no revert commit");
  if (r.reports.empty()) problems.emplace_back("no report was delivered");
  for (const auto& e : r.report_failures) problems.push_back("a report was not delivered: " + e.describe());
  return problems;
}

int run_staging(const SmokeOptions& opts, std::chrono::milliseconds budget) {
  // "rolled_back" or "rolled back", as the journal and the metrics spell it.
  std::string spelled = opts.expect;
  std::replace(spelled.begin(), spelled.end(), '_', ' ');
  const auto expected = saga::outcome_named(spelled);
  if (!expected) {
    return report_failure(false, kBadInput, "--expect wants an outcome such as upgraded, rolled_back, "
                                            "already_at_target or refused, not \"" + opts.expect + "\"");
  }
  auto job = job_for(opts.staging, "smoke-staging");
  if (!job) return report_failure(false, kBadInput, job.error().describe());
  Quiet quiet;
  service::RunJobsOptions run_options;
  run_options.budget = budget;
  auto run = service::run_jobs(config::process_environment(), {*job}, quiet, run_options);
  if (run.failed) {
    return report_failure(false, run.failed->is(core::ErrorKind::bad_input) ? kBadInput : kFailed,
                          run.failed->describe());
  }
  std::vector<std::string> problems;
  if (run.over_budget) problems.emplace_back("the budget ran out");
  if (run.results.size() == 1) {
    auto found = staging_problems(run.results.front(), *expected);
    problems.insert(problems.end(), found.begin(), found.end());
  } else {
    problems.emplace_back("the saga did not end");
  }
  const double seconds = static_cast<double>(run.elapsed.count()) / 1000.0;
  std::string result = problems.empty() ? "ok" : "FAILED";
  for (const auto& p : problems) result += "; " + p;
  std::cout << fmt::format("{:<14} {:<40} {:<12} {:>8}  {}\n", "scenario", "request", "expected", "seconds", "result");
  std::cout << fmt::format("{:<14} {:<40} {:<12} {:>8.2f}  {}\n", "staging", opts.staging,
                           saga::to_string(*expected), seconds, result);
  std::cout << fmt::format("smoke: {} of 1 cases passed in {:.2f} s (budget {:.0f} s)\n", problems.empty() ? 1 : 0,
                           seconds, opts.budget_seconds);
  return problems.empty() ? kDone : kFailed;
}

int run_smoke(const SmokeOptions& opts) {
  const double budget_seconds = opts.budget_seconds;
  if (!(budget_seconds > 0) || budget_seconds > 3600) {
    return report_failure(false, kBadInput, "--budget wants seconds between 0 and 3600");
  }
  const auto budget = std::chrono::milliseconds(static_cast<long long>(budget_seconds * 1000));
  if (!opts.staging.empty()) return run_staging(opts, budget);
  const auto started = core::Clock::now();
  Quiet quiet;
  int failed = 0;
  std::cout << fmt::format("{:<14} {:<40} {:<12} {:>8}  {}\n", "scenario", "request", "expected", "seconds", "result");
  for (const auto& c : kCases) {
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(core::Clock::now() - started);
    if (spent >= budget) {
      std::cout << fmt::format("{:<14} {:<40} {:<12} {:>8}  {}\n", c.scenario, c.request, saga::to_string(c.outcome),
                               "-", "NOT RUN: the budget ran out");
      ++failed;
      continue;
    }
    auto checked = run_case(c, budget - spent, quiet);
    const bool ok = checked.problems.empty();
    failed += ok ? 0 : 1;
    std::string result = ok ? "ok" : "FAILED";
    for (const auto& p : checked.problems) result += "; " + p;
    std::cout << fmt::format("{:<14} {:<40} {:<12} {:>8.2f}  {}\n", c.scenario, c.request,
                             saga::to_string(c.outcome), static_cast<double>(checked.elapsed.count()) / 1000.0, result);
  }
  const auto total = std::chrono::duration<double>(core::Clock::now() - started).count();
  const bool over = total > budget_seconds;
  std::cout << fmt::format("smoke: {} of {} cases passed in {:.2f} s (budget {:.0f} s){}\n",
                           std::size(kCases) - static_cast<std::size_t>(failed), std::size(kCases), total,
                           budget_seconds, over ? ": OVER BUDGET" : "");
  return failed == 0 && !over ? kDone : kFailed;
}

}  // namespace

void register_smoke_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<SmokeOptions>();
  auto* cmd = app.add_subcommand("smoke", "A timed end-to-end check against the built-in sandbox (or a staging cluster)");
  cmd->add_option("--budget", opts->budget_seconds, "seconds the whole check may take (default 120)");
  cmd->add_option("--staging", opts->staging,
                  "IMAGE:TAG: one real upgrade against the systems the settings name, instead of the sandbox");
  auto* expect = cmd->add_option("--expect", opts->expect, "with --staging: the outcome it must end with (default upgraded)");
  expect->needs(cmd->get_option("--staging"));
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_smoke(*opts); }; });
}

}  // namespace ua::cli
