// `upgrade-agent edit --image IMAGE[:TAG] [--tag TAG] [--repo DIR] [--json]`:
// the seed's step 7 alone. Finds every reference of the image under stacks/,
// decides per reference (policy, suffix, digest), and rewrites only the
// version bytes, atomically. No git.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/commands.hpp"
#include "terraform/report.hpp"
#include "upgrade_agent/config/setup.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/service/wiring.hpp"
#include "upgrade_agent/terraform/edit.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::cli {

namespace {

struct EditOptions {
  std::string repo;
  std::string image;
  std::string tag;
  std::string chart_version;
  std::string config;
  bool json = false;
};

// Everything the blocking part produces.
struct EditOutcome {
  terraform::Findings findings;
  terraform::ChangePlan plan;
  std::vector<terraform::FileChange> files;
  std::optional<std::string> failure;  // no stacks/, or reading/writing failed
  int failure_code = kFailed;
};

int exit_code(terraform::Outcome o) {
  switch (o) {
    case terraform::Outcome::edit: return kDone;
    case terraform::Outcome::already_current: return kAlreadyCurrent;
    case terraform::Outcome::refused: return kRefused;
    case terraform::Outcome::not_referenced: return kNotReferenced;
    case terraform::Outcome::needs_chart_version: return kBadInput;
  }
  return kFailed;
}

EditOutcome scan(const config::Setup& setup, const request::UpgradeRequest& request) {
  EditOutcome out;
  terraform::LocateOptions locate_options;
  if (setup.config) locate_options.config = &*setup.config;
  locate_options.search_roots = setup.settings.search_roots;
  auto findings = terraform::locate(setup.settings.repo, request.image, locate_options);
  if (!findings) {
    out.failure = findings.error().message;
    out.failure_code = kBadInput;
    return out;
  }
  out.findings = std::move(*findings);
  return out;
}

// The digests `tag@sha256:` references are pinned to, each once.
std::vector<std::string> pins_of(const terraform::Findings& findings) {
  std::vector<std::string> pins;
  for (const auto& r : findings.references) {
    if (!r.pin.empty() && std::find(pins.begin(), pins.end(), r.pin) == pins.end()) pins.push_back(r.pin);
  }
  return pins;
}

// The registry is asked only for pinned references: where each pin goes with
// the target tag, or why it cannot move (the reference is then refused).
constexpr std::chrono::seconds kRegistryBudget{60};

boost::asio::awaitable<void> ask_registry(EditOutcome& out, const request::UpgradeRequest& request,
                                          service::Wiring& wiring,
                                          std::map<std::string, terraform::PinMove>& pins) {
  auto registry = co_await wiring.registry();
  if (!registry) {
    out.failure = registry.error().describe();
    out.failure_code = kBadInput;
    co_return;
  }
  auto asked = pins_of(out.findings);  // named: no temporaries inside co_await (g++ 12)
  const auto deadline = core::Clock::now() + kRegistryBudget;
  auto moved = co_await plan::pin_moves(**registry, out.findings.image, std::move(asked), request.tag, deadline);
  if (!moved) {
    out.failure = moved.error().describe();
    co_return;
  }
  pins = std::move(*moved);
}

void edit_files(EditOutcome& out, const config::Setup& setup, const request::UpgradeRequest& request,
                const EditOptions& opts, const std::map<std::string, terraform::PinMove>& pins) {
  const auto& repo = setup.settings.repo;
  terraform::EditRequest edit;
  edit.target_tag = request.tag;
  if (!opts.chart_version.empty()) edit.chart_version = opts.chart_version;
  if (setup.config) edit.skip_patterns = setup.config->skip_image_patterns;
  edit.pins = pins;
  out.plan = terraform::plan_changes(out.findings, edit);
  if (out.plan.outcome != terraform::Outcome::edit) return;
  auto files = terraform::render_changes(out.plan, repo);
  if (!files) {
    out.failure = files.error().message;
    return;
  }
  out.files = std::move(*files);
  if (auto err = terraform::write_changes(repo, out.files, out.findings.folders)) out.failure = err->message;
}

int run_edit(const EditOptions& opts) {
  auto parsed = request::parse_command_line(opts.image, opts.tag);
  if (!parsed) return report_failure(opts.json, kBadInput, parsed.error().message);
  if (auto bad = check_chart_version(opts.chart_version)) return report_failure(opts.json, kBadInput, *bad);
  auto setup = load_setup(config::Needs::plan, {}, opts.repo, opts.config);
  if (!setup) return report_failure(opts.json, kBadInput, setup.error().message);

  // File scanning and writing are blocking: they run on the wiring's pool,
  // and its event loop only waits for them.
  service::Wiring wiring(setup->settings, setup->config.value_or(config::UpgradeConfig{}));
  auto& pool = wiring.pool();
  std::optional<EditOutcome> result;
  std::exception_ptr error;
  boost::asio::co_spawn(
      wiring.io(),
      [&]() -> boost::asio::awaitable<void> {
        // Named first: GCC 12 mishandles temporaries built inside a co_await expression.
        auto found = [&] { return scan(*setup, *parsed); };
        result = co_await runtime::offload(pool, found);
        if (result->failure) co_return;
        std::map<std::string, terraform::PinMove> pins;
        if (!pins_of(result->findings).empty()) {
          co_await ask_registry(*result, *parsed, wiring, pins);
          if (result->failure) co_return;
        }
        auto edit = [&] { edit_files(*result, *setup, *parsed, opts, pins); };
        co_await runtime::offload(pool, edit);
      },
      [&](std::exception_ptr e) { error = std::move(e); });
  wiring.io().run();
  if (error) std::rethrow_exception(error);

  const EditOutcome& r = *result;
  if (r.failure) return report_failure(opts.json, r.failure_code, *r.failure);
  const int code = exit_code(r.plan.outcome);
  if (code == kBadInput) spdlog::error("{}", r.plan.reason);
  if (opts.json) {
    auto o = terraform::report_json(r.findings, r.plan, r.files, parsed->tag);
    o["exit_code"] = code;
    std::cout << boost::json::serialize(o) << "\n";
  } else {
    std::cout << terraform::report_text(r.findings, r.plan, r.files, parsed->tag, true);
  }
  return code;
}

}  // namespace

void register_edit_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<EditOptions>();
  auto* cmd = app.add_subcommand(
      "edit", "Change the image's version in every file under stacks/ that references it (step 7 only, no git)");
  cmd->add_option("--image", opts->image, "IMAGE[:TAG], e.g. ghcr.io/immich-app/immich-server:v2.8.0")->required();
  cmd->add_option("--tag", opts->tag, "the target tag (instead of IMAGE:TAG)");
  cmd->add_option("--repo", opts->repo, "the infra repository (default: UPGRADE_AGENT_REPO or .)");
  cmd->add_option("--config", opts->config,
                  "upgrade-config.json (default: UPGRADE_AGENT_CONFIG or <repo>/.claude/reference/upgrade-config.json)");
  cmd->add_option("--chart-version", opts->chart_version,
                  "for images run by a Helm chart (pattern C): the chart version to pin");
  cmd->add_flag("--json", opts->json, "print one JSON document on stdout");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_edit(*opts); }; });
}

}  // namespace ua::cli
