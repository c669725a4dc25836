#pragma once
// One sandboxed world per test: the sample repo behind a bare remote, every
// simulator, and the agent run in process from the sandbox's settings alone
// (plus the test's overrides). Assertions read what the outside saw.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/world/sandbox.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/service/run_jobs.hpp"

namespace ua::test {

// Records every event; tests look for steps and order.
struct Recorder final : saga::Observer {
  std::vector<saga::Event> events;
  void on_event(const saga::Event& e) override { events.push_back(e); }
  [[nodiscard]] std::size_t count(saga::Step step, saga::EventKind kind) const {
    return static_cast<std::size_t>(std::count_if(
        events.begin(), events.end(), [&](const saga::Event& e) { return e.step == step && e.kind == kind; }));
  }
};

inline saga::Job job(const std::string& image_and_tag, const std::string& id = {}) {
  auto parsed = request::parse_command_line(image_and_tag, "");
  BOOST_REQUIRE_MESSAGE(parsed, image_and_tag);
  saga::Job j;
  j.id = id.empty() ? image_and_tag : id;
  j.image = parsed->image;
  j.target_tag = parsed->tag;
  j.hub_link = "https://hub.docker.com/r/x";
  return j;
}

class World {
 public:
  explicit World(const std::string& scenario_name, std::size_t filler_stacks = 0)
      : World(named(scenario_name), filler_stacks) {}
  explicit World(sandbox::Scenario scenario, std::size_t filler_stacks = 0) {
    sandbox::SandboxOptions options;
    options.dir = dir_.path();
    options.scenario = std::move(scenario);
    options.filler_stacks = filler_stacks;
    auto started = sandbox::Sandbox::start(options);
    BOOST_REQUIRE_MESSAGE(started, (started ? "" : started.error().describe()));
    sandbox_ = std::move(*started);
    initial_commits_ = sandbox_->remote_commits().size();
  }

  // Settings over the sandbox's (shorter windows, a smaller ceiling, ...).
  void set(std::string name, std::string value) { overrides_[std::move(name)] = std::move(value); }

  service::JobsRun run(const std::vector<saga::Job>& jobs, bool concurrently = false) {
    auto base = sandbox_->environment();
    auto overrides = overrides_;
    config::Environment env = [base, overrides](std::string_view name) -> std::optional<std::string> {
      if (auto it = overrides.find(std::string(name)); it != overrides.end()) return it->second;
      return base(name);
    };
    service::RunJobsOptions options;
    options.concurrently = concurrently;
    options.handle_signals = false;
    options.budget = std::chrono::seconds(120);
    auto run = service::run_jobs(env, jobs, recorder, options);
    BOOST_REQUIRE_MESSAGE(!run.failed, (run.failed ? run.failed->describe() : ""));
    BOOST_REQUIRE_EQUAL(run.results.size(), jobs.size());
    BOOST_TEST(!run.over_budget);
    const auto problems = sandbox_->problems();
    BOOST_TEST(problems.empty(), (problems.empty() ? "" : problems.front()));
    return run;
  }

  saga::Result run_one(const std::string& image_and_tag) { return run({job(image_and_tag)}).results.front(); }

  static sandbox::Scenario named(const std::string& name) {
    auto scenario = sandbox::scenario_named(name);
    BOOST_REQUIRE(scenario);
    return *scenario;
  }

  // Commits the remote received since the world began, oldest first.
  [[nodiscard]] std::vector<sandbox::RemoteCommit> new_commits() const {
    auto all = sandbox_->remote_commits();
    all.resize(all.size() - std::min(initial_commits_, all.size()));
    std::reverse(all.begin(), all.end());
    return all;
  }
  // Their subjects, the CI's own [CI SKIP] state commits left out.
  [[nodiscard]] std::vector<std::string> agent_subjects() const {
    std::vector<std::string> out;
    for (const auto& c : new_commits()) {
      if (c.subject.find("[CI SKIP]") == std::string::npos) out.push_back(c.subject);
    }
    return out;
  }
  [[nodiscard]] std::vector<std::string> slack() const { return sandbox_->slack_messages(); }
  sandbox::Sandbox& sandbox() { return *sandbox_; }
  // The agent's clone (the sandbox's default place for it).
  [[nodiscard]] std::filesystem::path clone() const { return dir_.path() / "infra"; }

  Recorder recorder;

 private:
  ScratchDir dir_{"ua-e2e-"};
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::size_t initial_commits_ = 0;
  std::map<std::string, std::string> overrides_;
};

inline bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }
inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace ua::test
