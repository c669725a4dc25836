// `upgrade-agent plan --image IMAGE[:TAG] [--tag TAG] [--repo DIR] [--json] [--offline]`:
// everything a run would do, with no side effects. The report is built in
// sections so that the local part (findings, policy verdict, diff) and the
// network part (changelog, risk, backup, stops: added with the changelog work)
// stay separate; --offline keeps plan to the local part and never touches the
// network.
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
#include "cli/render_plan.hpp"
#include "terraform/report.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/service/wiring.hpp"
#include "upgrade_agent/terraform/config_changes.hpp"
#include "upgrade_agent/terraform/edit.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::cli {

namespace {

struct PlanOptions {
  std::string repo;
  std::string image;
  std::string tag;
  std::string chart_version;
  std::string config;
  bool json = false;
  bool offline = false;
};

// The plan, section by section.
struct PlanReport {
  // Request.
  ua::request::UpgradeRequest request;  // qualified: the member name is `request` too
  config::Setup setup;
  // Section 1, local: where the image is referenced (step 1).
  terraform::Findings findings;
  // Section 2, local: what the policy allows and which bytes would change (step 7).
  terraform::ChangePlan changes;
  std::vector<terraform::FileChange> files;
  std::string diff;
  // Section 3, network (repository, changelog, risk, backup, stops): not built
  // offline; `online` records whether it was.
  bool online = false;
  std::vector<terraform::ConfigFile> config_files;  // the stack's files, for config changes
  std::optional<plan::Decision> network;
  std::vector<std::string> config_diffs;  // per step: the diff its setting renames make
  // Where digest pins go with the target (the registry's answers; online only).
  std::map<std::string, terraform::PinMove> pins;
  std::optional<std::string> failure;
  int failure_code = kFailed;
};

// Section 1 (blocking: reads files).
void add_findings(PlanReport& report) {
  terraform::LocateOptions options;
  if (report.setup.config) options.config = &*report.setup.config;
  options.search_roots = report.setup.settings.search_roots;
  auto findings = terraform::locate(report.setup.settings.repo, report.request.image, options);
  if (!findings) {
    report.failure = findings.error().message;
    report.failure_code = kBadInput;
    return;
  }
  report.findings = std::move(*findings);
}

// Section 2 (blocking: reads the matched files to render the diff; writes nothing).
void add_changes(PlanReport& report, const PlanOptions& opts) {
  terraform::EditRequest edit;
  edit.target_tag = report.request.tag;
  if (!opts.chart_version.empty()) edit.chart_version = opts.chart_version;
  if (report.setup.config) edit.skip_patterns = report.setup.config->skip_image_patterns;
  edit.pins = report.pins;
  report.changes = terraform::plan_changes(report.findings, edit);
  if (report.changes.outcome != terraform::Outcome::edit) return;
  auto files = terraform::render_changes(report.changes, report.setup.settings.repo);
  if (!files) {
    report.failure = files.error().message;
    return;
  }
  report.files = std::move(*files);
  for (const auto& f : report.files) report.diff += terraform::unified_diff(f);
}

// Section 3, network (steps 2-6 and 8, decided only): the GitHub repository,
// the releases in range, risk and evidence, stops, backup and messages; for a
// chart (pattern C) the chart version from the repository's index.
constexpr std::chrono::seconds kNetworkBudget{90};

bool any_pin(const terraform::Findings& findings) {
  return std::any_of(findings.references.begin(), findings.references.end(),
                     [](const terraform::Reference& r) { return !r.pin.empty(); });
}

bool wants_network(const PlanReport& report) {
  const auto o = report.changes.outcome;
  // Pinned references move only with the registry's digests: ask it.
  const bool pins_wait = o == terraform::Outcome::refused && report.changes.rule == core::Rule::digest_pinned &&
                         any_pin(report.findings);
  return !report.findings.references.empty() &&
         (o == terraform::Outcome::edit || o == terraform::Outcome::needs_chart_version || pins_wait);
}

boost::asio::awaitable<void> add_network(PlanReport& report, service::Wiring& wiring) {
  const auto& ref = report.findings.references[terraform::primary_reference(report.findings)];
  plan::DecisionRequest request;
  request.image = report.findings.image;
  request.stack = ref.service.empty() ? ref.stack : ref.service;
  request.namespace_name = ref.namespace_name;
  request.current_tag = ref.pattern == terraform::Pattern::chart ? std::string() : ref.current;
  request.target_tag = report.request.tag;
  if (ref.pattern == terraform::Pattern::chart) {
    request.chart = plan::ChartSource{ref.chart_repository, ref.chart, ref.current};
  }
  if (report.setup.config) request.config = *report.setup.config;
  request.step_mode = report.setup.settings.step_mode;
  request.config_files = report.config_files;
  request.apply_config_changes = report.setup.settings.config_changes;
  for (const auto& r : report.findings.references) {
    if (!r.pin.empty() && std::find(request.pins.begin(), request.pins.end(), r.pin) == request.pins.end()) {
      request.pins.push_back(r.pin);
    }
  }
  auto made = co_await wiring.decider();
  if (!made) {
    report.failure = made.error().describe();
    report.failure_code = kBadInput;
    co_return;
  }
  const auto deadline = core::Clock::now() + kNetworkBudget;
  auto decision = co_await (*made)->decide(std::move(request), deadline);
  if (!decision) {
    report.failure = decision.error().describe();
    co_return;
  }
  report.network = std::move(*decision);
  report.online = true;
  // A target the registry lacks is refused before anything else (exit 5).
  if (report.network->registry.target == plan::TargetState::missing) {
    report.changes.outcome = terraform::Outcome::refused;
    report.changes.rule = core::Rule::none;
    report.changes.reason = report.network->registry.note;
    report.changes.changes.clear();
    report.files.clear();
    report.diff.clear();
    co_return;
  }
  if (!report.network->steps.empty()) report.pins = report.network->steps.back().pins;
}

// Blocking: the stack's files the release notes' renames may apply to.
void add_config_files(PlanReport& report) {
  auto files = terraform::read_config_files(report.setup.settings.repo, report.findings.stack_dirs());
  if (!files) {
    report.failure = files.error().message;
    return;
  }
  report.config_files = std::move(*files);
}

// The diff each step's renames make, from the files as read (each step's
// renames on their own: the version's diff is already shown).
void add_config_diffs(PlanReport& report) {
  const auto read = [&report](const std::string& path) -> std::optional<std::string> {
    for (const auto& f : report.config_files) {
      if (f.path == path) return f.content;
    }
    return std::nullopt;
  };
  for (const auto& step : report.network->steps) {
    std::string diff;
    auto files = terraform::render_config_changes(step.config_changes, read);
    if (files) {
      for (const auto& f : *files) diff += terraform::unified_diff(f);
    }
    report.config_diffs.push_back(std::move(diff));
  }
}

int exit_code(const PlanReport& report) {
  switch (report.changes.outcome) {
    case terraform::Outcome::edit: return kDone;
    case terraform::Outcome::already_current: return kAlreadyCurrent;
    case terraform::Outcome::refused: return kRefused;
    case terraform::Outcome::not_referenced: return kNotReferenced;
    // A chart bump is planned; which chart version is read from the chart
    // index, which only the online plan does.
    case terraform::Outcome::needs_chart_version: return kDone;
  }
  return kFailed;
}

boost::json::object to_json(const PlanReport& report) {
  auto o = terraform::report_json(report.findings, report.changes, report.files, report.request.tag);
  boost::json::object verdict;
  verdict["decision"] = report.changes.outcome == terraform::Outcome::refused            ? "refused"
                        : report.changes.outcome == terraform::Outcome::already_current  ? "already_current"
                        : report.changes.outcome == terraform::Outcome::not_referenced   ? "not_referenced"
                                                                                          : "proceed";
  verdict["rule"] = std::string(core::to_string(report.changes.rule));
  verdict["reason"] = report.changes.reason;
  o["verdict"] = std::move(verdict);
  o["diff"] = report.diff;
  o["offline"] = !report.online;
  if (report.network) {
    auto network = cli::to_json(*report.network);
    // Setting renames and flags per step, only where the notes have some
    // (the document is unchanged for every other upgrade).
    auto& steps = network["steps"].as_array();
    for (std::size_t i = 0; i < steps.size() && i < report.network->steps.size(); ++i) {
      const auto& changes = report.network->steps[i].config_changes;
      if (changes.renames.empty() && changes.flagged.empty()) continue;
      boost::json::array applied;
      for (const auto& line : changes.applied_lines()) applied.emplace_back(line);
      boost::json::array flagged;
      for (const auto& line : changes.flagged_lines()) flagged.emplace_back(line);
      steps[i].as_object()["config_changes"] =
          boost::json::object{{"applied", std::move(applied)}, {"flagged", std::move(flagged)},
                              {"diff", i < report.config_diffs.size() ? report.config_diffs[i] : std::string()}};
    }
    o["network"] = std::move(network);
  }
  o["writes"] = false;
  return o;
}

std::string to_text(const PlanReport& report) {
  std::string out = terraform::report_text(report.findings, report.changes, report.files, report.request.tag, false);
  if (!report.diff.empty()) out += "\n" + report.diff;
  if (report.network) {
    // Refused after the registry was asked (a target it lacks, a pin it cannot
    // move): its answer is the reason; the steps would not be taken.
    const bool refused = report.changes.outcome == terraform::Outcome::refused;
    out += "\n" + (refused ? cli::registry_text(report.network->registry) : cli::to_text(*report.network));
    for (std::size_t i = 0; !refused && i < report.network->steps.size(); ++i) {
      const auto& changes = report.network->steps[i].config_changes;
      if (changes.renames.empty() && changes.flagged.empty()) continue;
      out += "\nConfig changes of step " + std::to_string(i + 1) + ":\n";
      for (const auto& line : changes.applied_lines()) out += "  applied: " + line + "\n";
      for (const auto& line : changes.flagged_lines()) out += "  flagged: " + line + "\n";
      if (i < report.config_diffs.size()) out += report.config_diffs[i];
    }
  }
  if (!report.online) out += "(offline: changelog, risk and backup not checked)\n";
  return out;
}

// The report on stdout, as text or JSON; the exit code.
int finish_plan(const PlanReport& report, const PlanOptions& opts) {
  if (report.failure) return report_failure(opts.json, report.failure_code, *report.failure);
  const int code = exit_code(report);
  if (opts.json) {
    auto o = to_json(report);
    o["exit_code"] = code;
    std::cout << boost::json::serialize(o) << "\n";
  } else {
    std::cout << to_text(report);
  }
  return code;
}

int run_plan(const PlanOptions& opts) {
  auto parsed = request::parse_command_line(opts.image, opts.tag);
  if (!parsed) return report_failure(opts.json, kBadInput, parsed.error().message);
  if (auto bad = check_chart_version(opts.chart_version)) return report_failure(opts.json, kBadInput, *bad);
  auto setup = load_setup(config::Needs::plan, {}, opts.repo, opts.config);
  if (!setup) return report_failure(opts.json, kBadInput, setup.error().message);

  PlanReport report;
  report.request = std::move(*parsed);
  report.setup = std::move(*setup);
  if (opts.offline) {
    // No network means no event loop to keep free: the files are read on
    // this thread, and the pool's two threads are never started (5% of a
    // short offline plan, A/B on tools/bench's real-sized tree).
    add_findings(report);
    if (!report.failure) add_changes(report, opts);
    return finish_plan(report, opts);
  }
  // The sagas' wiring, of which plan uses the loop, the pool and the decision.
  service::Wiring wiring(report.setup.settings, report.setup.config.value_or(config::UpgradeConfig{}));
  auto& pool = wiring.pool();
  std::exception_ptr error;
  boost::asio::co_spawn(
      wiring.io(),
      [&]() -> boost::asio::awaitable<void> {
        // Named first: GCC 12 mishandles temporaries built inside a co_await expression.
        auto findings = [&] { add_findings(report); };
        auto changes = [&] { add_changes(report, opts); };
        co_await runtime::offload(pool, findings);
        if (!report.failure) co_await runtime::offload(pool, changes);
        if (!report.failure && !opts.offline && wants_network(report)) {
          auto config_files = [&] { add_config_files(report); };
          co_await runtime::offload(pool, config_files);
          if (report.failure) co_return;
          co_await add_network(report, wiring);
          if (report.failure) co_return;
          if (report.network->registry.target != plan::TargetState::missing) add_config_diffs(report);
          // The pins' new digests change the diff (the chart's case below redoes it too).
          if (!report.pins.empty()) {
            auto repinned = [&] { add_changes(report, opts); };
            co_await runtime::offload(pool, repinned);
          }
          // Pattern C: the chart version the index names, unless --chart-version gave one.
          const auto& chart = report.network->chart;
          if (opts.chart_version.empty() && chart && chart->chosen) {
            auto with_chart = opts;
            with_chart.chart_version = chart->chosen->version;
            auto rechange = [&] { add_changes(report, with_chart); };
            co_await runtime::offload(pool, rechange);
          }
        }
      },
      [&](std::exception_ptr e) { error = std::move(e); });
  wiring.io().run();
  if (error) std::rethrow_exception(error);
  return finish_plan(report, opts);
}

}  // namespace

void register_plan_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand("plan", "Show what an upgrade would change (files, diff, policy verdict); writes nothing");
  cmd->add_option("--image", opts->image, "IMAGE[:TAG], e.g. vaultwarden/server:1.36.0")->required();
  cmd->add_option("--tag", opts->tag, "the target tag (instead of IMAGE:TAG)");
  cmd->add_option("--repo", opts->repo, "the infra repository (default: UPGRADE_AGENT_REPO or .)");
  cmd->add_option("--config", opts->config,
                  "upgrade-config.json (default: UPGRADE_AGENT_CONFIG or <repo>/.claude/reference/upgrade-config.json)");
  cmd->add_option("--chart-version", opts->chart_version,
                  "for images run by a Helm chart (pattern C): the chart version to pin");
  cmd->add_flag("--json", opts->json, "print one JSON document on stdout");
  cmd->add_flag("--offline", opts->offline, "local findings only: no network at all");
  cmd->callback([&ctx, opts] { ctx.action = [opts] { return run_plan(*opts); }; });
}

}  // namespace ua::cli
