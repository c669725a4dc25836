#pragma once
// What `demo` and `smoke` share: the agent wired from a sandbox's settings
// alone (nothing from the process environment leaks in), sagas run one after
// the other on one event loop, a budget that cancels like Ctrl-C does, and
// the story printed as it happens.
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/world/sandbox.hpp"
#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::cli {

struct SandboxRun {
  std::vector<saga::Result> results;     // one per job that ran, in order
  std::optional<core::Error> failed;     // the agent could not start at all
  bool over_budget = false;              // the budget ran out (the running saga was asked to stop)
  bool interrupted = false;              // SIGINT/SIGTERM
  std::chrono::milliseconds elapsed{0};
};

// Prints every saga event as one indented line with the time since `start`.
class StoryObserver final : public saga::Observer {
 public:
  explicit StoryObserver(std::ostream& out);
  void on_event(const saga::Event& event) override;

 private:
  std::ostream& out_;
  core::Clock::time_point start_ = core::Clock::now();
};

// Runs `jobs` in order against `world`. A budget of zero means none.
SandboxRun run_against(const sandbox::Sandbox& world, const std::vector<saga::Job>& jobs, saga::Observer& observer,
                       std::chrono::milliseconds budget);

// The saga job for "IMAGE:TAG" (bad_input when it is not one).
core::Expected<saga::Job> job_for(const std::string& image_and_tag, std::string id);

}  // namespace ua::cli
