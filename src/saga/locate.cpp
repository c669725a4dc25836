// Step 1: the remote tip's Terraform, read on the git thread so that no other
// saga's checkout can move the files under the scan.
#include <memory>
#include <stdexcept>

#include "saga/steps.hpp"
#include "terraform/report.hpp"

namespace ua::saga {

namespace asio = boost::asio;

terraform::EditRequest edit_request(const config::UpgradeConfig& config, const EditTarget& target) {
  terraform::EditRequest request;
  request.target_tag = target.tag;
  request.chart_version = target.chart_version;
  request.skip_patterns = config.skip_image_patterns;
  request.pins = target.pins;
  return request;
}

asio::awaitable<core::Expected<Located>> locate(ports::GitClone& git, const config::UpgradeConfig& config,
                                                const Job& job, EditTarget target, core::Deadline deadline,
                                                std::string before) {
  auto located = std::make_shared<Located>();
  auto problem = std::make_shared<std::optional<core::Error>>();
  const config::UpgradeConfig* cfg = &config;
  const core::ImageRef image = job.image;
  ports::WorktreeFn read = [located, problem, cfg, image, target](const std::filesystem::path& worktree) {
    terraform::LocateOptions options;
    options.config = cfg;
    auto findings = terraform::locate(worktree, image, options);
    if (!findings) {
      auto e = findings.error();
      e.system = "terraform";
      e.operation = "locate " + image.familiar_name();
      *problem = std::move(e);
      return;
    }
    located->findings = std::move(*findings);
    located->changes = terraform::plan_changes(located->findings, edit_request(*cfg, target));
    if (located->findings.references.empty()) return;
    located->primary = terraform::primary_reference(located->findings);
    // What the decision reads for config changes, from the same tip.
    auto files = terraform::read_config_files(worktree, located->findings.stack_dirs());
    if (!files) {
      auto e = files.error();
      e.system = "terraform";
      e.operation = "read the stack's files";
      *problem = std::move(e);
      return;
    }
    located->config_files = std::move(*files);
  };
  auto reading = before.empty() ? git.inspect(std::move(read), deadline)
                                 : git.inspect_before(std::move(before), std::move(read), deadline);
  auto tip = co_await std::move(reading);
  if (!tip) co_return tip.error();
  if (*problem) co_return **problem;
  located->tip = *tip;
  co_return std::move(*located);
}

std::set<std::string> expected_tags(const terraform::Findings& findings, const terraform::ChangePlan& changes) {
  std::set<std::string> tags;
  for (std::size_t i = 0; i < findings.references.size() && i < changes.outcomes.size(); ++i) {
    const auto& ref = findings.references[i];
    const auto& outcome = changes.outcomes[i];
    if (ref.pattern == terraform::Pattern::chart) continue;
    if (outcome.status == terraform::RefStatus::edit || outcome.status == terraform::RefStatus::at_target) {
      tags.insert(outcome.target);
    }
  }
  return tags;
}

std::set<std::string> current_tags(const terraform::Findings& findings) {
  std::set<std::string> tags;
  for (const auto& ref : findings.references) {
    if (ref.pattern != terraform::Pattern::chart) tags.insert(ref.current);
  }
  return tags;
}

std::set<std::string> expected_digests(const terraform::Findings& findings, const terraform::ChangePlan& changes) {
  std::set<std::string> digests;
  for (std::size_t i = 0; i < findings.references.size() && i < changes.outcomes.size(); ++i) {
    const auto& ref = findings.references[i];
    const auto& outcome = changes.outcomes[i];
    if (ref.pin.empty()) continue;
    if (outcome.status == terraform::RefStatus::edit) digests.insert(outcome.pin);
    if (outcome.status == terraform::RefStatus::at_target) digests.insert(ref.pin);
  }
  return digests;
}

std::set<std::string> current_digests(const terraform::Findings& findings) {
  std::set<std::string> digests;
  for (const auto& ref : findings.references) {
    if (!ref.pin.empty()) digests.insert(ref.pin);
  }
  return digests;
}

}  // namespace ua::saga
