// Step 10b: revert exactly the upgrade commit on whatever the remote holds now
// (CI state commits may sit on top), push, wait for CI, verify the old version.
// Any of that failing is the CRITICAL path: the caller reports it.
#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

asio::awaitable<RolledBack> roll_back(RollbackPorts ports, std::string upgrade_sha, std::string subject,
                                      VerifyTarget previous, const Budget& budget, Reporter& reporter) {
  RolledBack out;
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

}  // namespace ua::saga
