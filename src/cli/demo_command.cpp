// `upgrade-agent demo`: the whole story against the built-in sandbox, in a
// temporary folder, with no network: a SAFE upgrade that succeeds and a
// CAUTION one whose pods crash-loop and that is rolled back. Prints the steps
// as they happen, the Slack messages and the commits the remote received.
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/sandbox_runs.hpp"
#include "cli/temp_folder.hpp"
#include "sandbox/world/sandbox.hpp"
#include "upgrade_agent/service/run_jobs.hpp"

namespace ua::cli {

namespace {

struct DemoCase {
  const char* request;
  const char* story;
  saga::Outcome expected;
};

constexpr DemoCase kCases[] = {
    {"vaultwarden/server:1.35.5", "a patch release with plain fixes: SAFE, upgraded and verified",
     saga::Outcome::upgraded},
    {"ghcr.io/immich-app/immich-server:v2.8.0",
     "a database migration, then a breaking rename: CAUTION, a backup, then one stop at a time; v2.7.5 is "
     "verified, v2.8.0's pods crash-loop and only that stop is rolled back",
     saga::Outcome::rolled_back},
};

void print_slack(std::ostream& out, const std::vector<std::string>& messages) {
  out << "\n== What Slack received (" << messages.size() << " messages)\n";
  for (const auto& m : messages) {
    bool first = true;
    std::size_t start = 0;
    while (start <= m.size()) {
      const auto nl = m.find('\n', start);
      out << (first ? "  * " : "    ") << m.substr(start, nl == std::string::npos ? std::string::npos : nl - start)
          << "\n";
      first = false;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
}

void print_commits(std::ostream& out, const std::vector<sandbox::RemoteCommit>& commits, std::size_t before) {
  const std::size_t fresh = commits.size() > before ? commits.size() - before : 0;
  out << "\n== What the remote received (" << fresh << " commits, oldest first)\n";
  for (std::size_t i = fresh; i-- > 0;) {
    const auto& c = commits[i];
    out << "  " << c.sha.substr(0, 10) << "  " << c.subject << "   (" << c.author << ")\n";
  }
}

int run_demo() {
  auto folder = TempFolder::make("upgrade-agent-demo");
  if (!folder) return report_failure(false, kFailed, folder.error().describe());
  auto scenario = sandbox::scenario_named("demo");
  if (!scenario) return report_failure(false, kFailed, scenario.error().describe());
  sandbox::SandboxOptions options;
  options.dir = folder->path();
  options.scenario = *scenario;
  auto world = sandbox::Sandbox::start(options);
  if (!world) return report_failure(false, kFailed, "the sandbox did not start: " + world.error().describe());
  const auto before = (*world)->remote_commits().size();

  std::ostream& out = std::cout;
  out << "upgrade-agent demo: two upgrades of a sample homelab, against simulated GitHub, Woodpecker, Kubernetes,\n"
         "ingresses, Uptime Kuma and Slack on 127.0.0.1, pushing to a real bare git remote. No network is used.\n";
  std::vector<saga::Job> jobs;
  for (std::size_t i = 0; i < std::size(kCases); ++i) {
    auto job = job_for(kCases[i].request, "demo-" + std::to_string(i + 1));
    if (!job) return report_failure(false, kFailed, job.error().describe());
    jobs.push_back(std::move(*job));
  }
  StoryObserver story(out);
  // One saga at a time so the story reads in order; each prints its header
  // when its first event arrives.
  struct Headed final : saga::Observer {
    saga::Observer& inner;
    std::ostream& out;
    std::string last_job;
    Headed(saga::Observer& i, std::ostream& o) : inner(i), out(o) {}
    void on_event(const saga::Event& e) override {
      if (e.job != last_job) {
        last_job = e.job;
        for (std::size_t i = 0; i < std::size(kCases); ++i) {
          if (e.job == "demo-" + std::to_string(i + 1)) {
            out << "\n== " << i + 1 << ". " << kCases[i].request << ": " << kCases[i].story << "\n";
          }
        }
      }
      inner.on_event(e);
    }
  } headed(story, out);

  service::RunJobsOptions run_options;
  run_options.budget = std::chrono::seconds(60);
  auto run = service::run_jobs((*world)->environment(), jobs, headed, run_options);
  if (run.failed) return report_failure(false, kFailed, "the agent could not start: " + run.failed->describe());

  out << "\n== Outcomes\n";
  int as_expected = 0;
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    const auto& r = run.results[i];
    const bool ok = r.outcome == kCases[i].expected;
    as_expected += ok ? 1 : 0;
    out << "  " << i + 1 << ". " << saga::to_string(r.outcome) << ": " << r.stack << " " << r.from << " -> " << r.to
        << " (risk " << (r.risk.empty() ? "-" : r.risk) << ", live now " << (r.live.empty() ? "?" : r.live) << ")"
        << (ok ? "" : "   UNEXPECTED: wanted " + std::string(saga::to_string(kCases[i].expected))) << "\n";
    if (!r.reason.empty()) out << "     " << r.reason << "\n";
    for (const auto& e : r.report_failures) out << "     report not delivered: " << e.describe() << "\n";
  }
  print_slack(out, (*world)->slack_messages());
  print_commits(out, (*world)->remote_commits(), before);
  for (const auto& p : (*world)->problems()) spdlog::warn("sandbox: {}", p);

  const bool all = as_expected == static_cast<int>(std::size(kCases)) && !run.over_budget && !run.interrupted;
  out << "\ndemo: " << (all ? "every upgrade ended as expected" : "NOT as expected") << " (" << as_expected << "/"
      << std::size(kCases) << ") in " << std::chrono::duration<double>(run.elapsed).count() << " s\n";
  return all ? kDone : kFailed;
}

}  // namespace

void register_demo_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("demo", "The whole story against the built-in sandbox (no network, under a minute)");
  cmd->callback([&ctx] { ctx.action = [] { return run_demo(); }; });
}

}  // namespace ua::cli
