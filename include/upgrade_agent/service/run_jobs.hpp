#pragma once
// Sagas in the foreground on one Wiring, built from an environment alone
// (the sandbox's settings for `demo`, `smoke` and the end-to-end tests):
// one after the other or all at once (one saga per stack still holds), with
// an optional budget and Ctrl-C handled as `run` does (the first asks every
// saga to stop, reverting what it pushed; the second stops at once).
#include <chrono>
#include <optional>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::service {

struct RunJobsOptions {
  std::chrono::milliseconds budget{0};  // 0: none; else the sagas are asked to stop when it runs out
  bool concurrently = false;
  bool handle_signals = true;
};

struct JobsRun {
  std::vector<saga::Result> results;  // in the jobs' order; empty when the agent could not start
  std::optional<core::Error> failed;  // the settings, the config or the adapters could not be set up
  bool over_budget = false;
  bool interrupted = false;
  std::chrono::milliseconds elapsed{0};
};

JobsRun run_jobs(const config::Environment& env, const std::vector<saga::Job>& jobs, saga::Observer& observer,
                 const RunJobsOptions& options = {});

}  // namespace ua::service
