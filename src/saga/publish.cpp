// Steps 7-8: the edit is a function of the worktree, not a patch, so that it
// can be made again on whatever tip the remote moved to (CI pushes state
// commits) before the push is retried.
#include <stdexcept>

#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

namespace {

void apply_edit(const std::filesystem::path& worktree, const config::UpgradeConfig& config, const core::ImageRef& image,
                const EditTarget& target) {
  terraform::LocateOptions options;
  options.config = &config;
  auto findings = terraform::locate(worktree, image, options);
  if (!findings) throw std::invalid_argument(findings.error().message);
  const auto changes = terraform::plan_changes(*findings, edit_request(config, target));
  if (changes.outcome != terraform::Outcome::edit) {
    throw std::invalid_argument("the tip no longer needs this edit: " + changes.reason);
  }
  auto files = terraform::render_changes(changes, worktree);
  if (!files) throw std::invalid_argument(files.error().message);
  if (auto failed = terraform::write_changes(worktree, *files)) throw std::runtime_error(failed->message);
  if (target.config_changes.renames.empty()) return;
  // The renames, found again in the files as the version edit left them.
  auto stack_files = terraform::read_config_files(worktree, findings->stack_dirs());
  if (!stack_files) throw std::runtime_error(stack_files.error().message);
  auto renames = terraform::find_renames_again(target.config_changes, *stack_files);
  if (!renames) throw std::invalid_argument(renames.error().message);
  const auto read = [&stack_files](const std::string& path) -> std::optional<std::string> {
    for (const auto& f : *stack_files) {
      if (f.path == path) return f.content;
    }
    return std::nullopt;
  };
  auto renamed = terraform::render_config_changes(*renames, read);
  if (!renamed) throw std::invalid_argument(renamed.error().message);
  if (auto failed = terraform::write_changes(worktree, *renamed)) throw std::runtime_error(failed->message);
}

}  // namespace

asio::awaitable<core::Expected<ports::Pushed>> publish(ports::GitClone& git, const config::UpgradeConfig& config,
                                                       const Job& job, EditTarget target,
                                                       std::vector<std::string> paths, std::string message,
                                                       core::Deadline deadline, Reporter& reporter) {
  const config::UpgradeConfig* cfg = &config;
  const core::ImageRef image = job.image;
  ports::Publish request;
  request.message = std::move(message);
  request.paths = std::move(paths);
  request.edit = [cfg, image, target](const std::filesystem::path& worktree) {
    apply_edit(worktree, *cfg, image, target);
  };
  const std::string subject = request.message.substr(0, request.message.find('\n'));
  reporter.emit(EventKind::about_to_push, Step::publish, subject);
  auto saved = co_await reporter.checkpoint();
  if (!saved) {
    reporter.failed(Step::publish, saved.error());
    co_return core::make_error(saved.error().kind == core::ErrorKind::cancelled ? core::ErrorKind::cancelled
                                                                                : core::ErrorKind::unavailable,
                               "not pushed: the journal could not record \"about to push\": " + saved.error().describe(),
                               "saga", "publish");
  }
  auto pushed = co_await git.publish(std::move(request), deadline);
  if (!pushed) co_return pushed.error();
  reporter.emit(EventKind::pushed, Step::publish,
                subject + (pushed->attempts > 1 ? " (after " + std::to_string(pushed->attempts) + " pushes)" : ""),
                pushed->sha);
  // Best effort: were this lost, a resumed saga finds the commit on the remote by its subject.
  auto recorded = co_await reporter.checkpoint();
  if (!recorded) reporter.emit(EventKind::progress, Step::publish, "the journal missed the pushed SHA: " + recorded.error().describe());
  co_return pushed;
}

asio::awaitable<core::Expected<ports::CiOutcome>> wait_for_ci(ports::Ci& ci, std::string sha, core::Deadline deadline,
                                                              Reporter& reporter, Step step) {
  reporter.started(step, "waiting for CI of " + sha.substr(0, 12));
  ports::CiProgress progress = [&reporter, step](std::string_view line) { reporter.progress(step, std::string(line)); };
  auto outcome = co_await ci.wait_for_commit(std::move(sha), deadline, std::move(progress));
  if (!outcome) {
    reporter.failed(step, outcome.error());
    co_return outcome;
  }
  const std::string line = "workflow " + outcome->workflow + " of pipeline " + std::to_string(outcome->pipeline) +
                           ": " + outcome->state_text;
  if (outcome->state == ports::CiState::success) {
    reporter.finished(step, line);
  } else {
    reporter.failed(step, core::make_error(core::ErrorKind::refused, line, "ci", "wait"));
  }
  co_return outcome;
}

}  // namespace ua::saga
