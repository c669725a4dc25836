// Step 10b: revert exactly the upgrade commit on whatever the remote holds now
// (CI state commits may sit on top), push, wait for CI, verify the old version.
// Any of that failing is the CRITICAL path: the caller reports it.
#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

namespace {

// The revert's CI run and the old version's short verification.
asio::awaitable<RolledBack> confirm(RollbackPorts& ports, RolledBack out, VerifyTarget previous, const Budget& budget,
                                    Reporter& reporter) {
  auto ci = co_await wait_for_ci(ports.ci, out.sha, budget.rollback(), reporter, Step::roll_back);
  if (!ci) {
    out.status = "revert pushed, CI not confirmed: " + ci.error().describe();
    co_return out;
  }
  if (ci->state != ports::CiState::success) {
    out.status = "revert pushed, CI " + ci->state_text;
    co_return out;
  }
  const auto window_end = core::within(budget.rollback(), previous.window);
  previous.limit = budget.rollback();
  auto verified = co_await verify(ports.cluster, ports.http, ports.monitors, std::move(previous), window_end, reporter,
                                  Step::roll_back);
  if (!verified) {
    out.status = "revert applied, verification not finished: " + verified.error().describe();
    co_return out;
  }
  if (!verified->healthy) {
    out.status = "revert applied but still unhealthy: " + verified->reason;
    co_return out;
  }
  out.ok = true;
  out.status = "verified: " + verified->summary;
  reporter.finished(Step::roll_back, out.status);
  co_return out;
}

}  // namespace

asio::awaitable<RolledBack> roll_back(RollbackPorts ports, std::string upgrade_sha, std::string subject,
                                      VerifyTarget previous, const Budget& budget, Reporter& reporter,
                                      std::string pushed_revert) {
  RolledBack out;
  if (!pushed_revert.empty()) {
    reporter.started(Step::roll_back, "the revert " + pushed_revert.substr(0, 12) + " of " +
                                          upgrade_sha.substr(0, 12) + " is on the remote: confirming it");
    out.sha = std::move(pushed_revert);
    auto confirmed = co_await confirm(ports, std::move(out), std::move(previous), budget, reporter);
    co_return confirmed;
  }
  reporter.started(Step::roll_back, "reverting " + upgrade_sha.substr(0, 12) + " (" + subject + ")");
  reporter.emit(EventKind::about_to_push, Step::roll_back, "revert of " + subject, upgrade_sha);
  // The revert goes ahead even if the journal fails: a bad version must not
  // stay live, and reverting twice after a crash changes nothing.
  auto saved = co_await reporter.checkpoint();
  if (!saved) {
    reporter.emit(EventKind::progress, Step::roll_back,
                  "the journal missed \"about to push\" (reverting anyway): " + saved.error().describe());
  }
  const std::string message = "Revert \"" + subject + "\"\n\nThis reverts commit " + upgrade_sha +
                              ".\n\nRolled back by the upgrade agent: verification failed.\n";
  auto reverted = co_await ports.git.revert(upgrade_sha, message, budget.rollback());
  if (!reverted) {
    out.status = "revert failed: " + reverted.error().describe();
    reporter.failed(Step::roll_back, reverted.error());
    co_return out;
  }
  out.sha = reverted->sha;
  reporter.emit(EventKind::pushed, Step::roll_back, "revert of " + subject, out.sha);
  // Best effort: without it a restart looks for the revert on the remote.
  auto recorded = co_await reporter.checkpoint();
  if (!recorded) {
    reporter.emit(EventKind::progress, Step::roll_back, "the journal missed the revert: " + recorded.error().describe());
  }
  auto confirmed = co_await confirm(ports, std::move(out), std::move(previous), budget, reporter);
  co_return confirmed;
}

}  // namespace ua::saga
