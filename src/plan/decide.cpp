#include <algorithm>

#include "upgrade_agent/adapters/git/message.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"
#include "upgrade_agent/adapters/registry/stops.hpp"
#include "upgrade_agent/adapters/registry/target.hpp"
#include "upgrade_agent/core/release_range.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/plan/messages.hpp"

namespace ua::plan {

namespace asio = boost::asio;

namespace {

// The releases of a step: strictly after `from`, up to and including `to`.
std::vector<core::ReleaseNote> releases_between(const core::Changelog& log, std::string_view from,
                                                std::string_view to) {
  auto f = core::parse_tag(from);
  auto t = core::parse_tag(to);
  if (!f || !t) return {};
  return core::in_range(log.releases, *f, *t);
}

core::RiskAssessment evidence_of(const core::RiskAssessment& risk, const std::vector<core::ReleaseNote>& releases) {
  core::RiskAssessment part = risk;
  part.evidence.clear();
  for (const auto& e : risk.evidence) {
    const bool inside = std::any_of(releases.begin(), releases.end(), [&](const auto& r) { return r.tag == e.release; });
    if (inside) part.evidence.push_back(e);
  }
  return part;
}

// What the chart index says for pattern C: the chart version to move to, and
// the image version deployed now (the chart's own version says nothing of it).
struct ChartPart {
  std::string step_from;
  std::string step_to;
  std::string current;            // the image tag deployed now, empty when unknown
  std::string changelog_missing;  // why the changelog cannot be read, if so
};

ChartPart use_chart(Decision& decision, const ChartSource& chart, ports::ChartLookup lookup) {
  ChartPart out;
  if (lookup.manual_review) decision.flagged_for_manual_review.push_back(lookup.reason);
  out.step_from = chart.current_version;
  out.step_to = lookup.chosen ? lookup.chosen->version : std::string();
  if (!lookup.chosen && !lookup.manual_review) decision.flagged_for_manual_review.push_back(lookup.reason);
  if (lookup.current_app_version) {
    out.current = *lookup.current_app_version;
  } else {
    out.changelog_missing = "the image version chart " + chart.chart + " " + chart.current_version +
                            " ships is not known (" +
                            (lookup.reason.empty() ? "not listed in the index" : lookup.reason) + ")";
  }
  decision.chart = std::move(lookup);
  return out;
}

// The commit message of one step, or why there is none.
core::Expected<std::string> commit_message(const DecisionRequest& request, const Decision& decision, const Step& step,
                                           const std::vector<core::ReleaseNote>& releases,
                                           const core::RiskAssessment& part) {
  if (step.to.empty()) {
    return core::make_error(core::ErrorKind::not_found, "no chart version to move to", "plan", "commit message");
  }
  const auto& log = decision.changelog.changelog;
  adapters::git::UpgradeMessage message;
  message.stack = request.stack;
  message.old_version = step.from;
  message.new_version = step.to;
  if (log) {
    core::Changelog slice{releases, log->source};
    message.changelog_summary = changelog_summary(slice, part);
  }
  message.risk = std::string(core::to_string(decision.risk.risk));
  message.breaking_changes = breaking_changes(part, step.from, step.to, log ? &*log : nullptr);
  message.db_backup = decision.backup.commit_line;
  message.config_changes = step.config_changes.applied_lines();
  message.flagged_for_review = decision.flagged_for_manual_review;
  for (auto& line : step.config_changes.flagged_lines()) {
    // Quoted from release notes: a line carrying a CI skip directive would
    // make the commit one CI never applies.
    if (!adapters::git::find_ci_skip_directive(line)) message.flagged_for_review.push_back(std::move(line));
  }
  auto text = adapters::git::build_upgrade_message(message);
  if (!text) {
    return core::make_error(core::ErrorKind::bad_input, text.error().message, "plan", "commit message");
  }
  return std::move(*text);
}

// One step per stop (pattern C: one chart bump; stepping through chart
// versions is left to a person).
void add_steps(Decision& decision, const DecisionRequest& request, const ChartPart& chart) {
  std::vector<core::Stop> stops = decision.risk.stops;
  if (request.chart) {
    if (stops.size() > 1) {
      decision.flagged_for_manual_review.push_back(
          "CAUTION stops at " + std::to_string(stops.size() - 1) +
          " intermediate releases: stepping through chart versions is not planned");
    }
    stops = {core::Stop{stops.back().release, chart.step_to, stops.back().why}};
  }
  const auto& log = decision.changelog.changelog;
  std::string from = request.chart ? chart.step_from : request.current_tag;
  for (const auto& stop : stops) {
    Step step;
    step.from = from;
    step.to = stop.image_tag;
    step.release = stop.release;
    step.why = stop.why;
    std::vector<core::ReleaseNote> releases;
    if (log) releases = request.chart ? log->releases : releases_between(*log, from, stop.image_tag);
    auto part = evidence_of(decision.risk, releases);
    if (auto f = core::parse_tag(step.from), t = core::parse_tag(step.to); f && t && !request.chart) {
      part.jump = core::jump_between(core::bare_version(*f), core::bare_version(*t));
    }
    if (log && !request.config_files.empty()) {
      const core::Changelog slice{releases, log->source};
      step.config_changes = terraform::find_config_changes(slice, request.config_files, request.apply_config_changes);
    }
    step.commit_message = commit_message(request, decision, step, releases, part);
    auto slack_view = decision.risk;
    slack_view.evidence = part.evidence;
    step.slack_starting = slack_starting_text(request.stack, step.from, step.to.empty() ? "?" : step.to, slack_view,
                                              log ? &*log : nullptr);
    decision.steps.push_back(std::move(step));
    from = stop.image_tag;
  }
}

core::ImageRef bare(core::ImageRef image) {
  image.tag.reset();
  image.digest.reset();
  return image;
}

core::Error cancelled_error(const std::string& what) {
  return core::make_error(core::ErrorKind::cancelled, what + ": cancelled", "plan", "registry");
}

// Before anything else: does the target tag exist?
asio::awaitable<core::Expected<void>> check_target(ports::Registry& registry, const DecisionRequest& request,
                                                   core::Deadline deadline, Decision& decision) {
  core::Expected<void> answer;
  core::ImageRef image = bare(request.image);  // named: no temporaries inside co_await (g++ 12)
  auto digest = co_await registry.digest(std::move(image), request.target_tag, deadline);
  auto check = adapters::registry::classify_target(digest);
  switch (check.state) {
    case adapters::registry::TargetState::exists: decision.registry.target = TargetState::exists; break;
    case adapters::registry::TargetState::missing: decision.registry.target = TargetState::missing; break;
    case adapters::registry::TargetState::unchecked: decision.registry.target = TargetState::unchecked; break;
    case adapters::registry::TargetState::cancelled: answer = cancelled_error("checking " + request.target_tag); break;
  }
  decision.registry.digest = std::move(check.digest);
  decision.registry.note = std::move(check.note);
  co_return answer;
}

// CAUTION stops only at releases published as tags of the image.
asio::awaitable<core::Expected<void>> check_stops(ports::Registry& registry, const DecisionRequest& request,
                                                  core::Deadline deadline, Decision& decision) {
  core::Expected<void> answer;
  if (decision.risk.stops.size() < 2 || request.chart) co_return answer;
  core::ImageRef image = bare(request.image);
  auto tags = co_await registry.tags(std::move(image), deadline);
  if (!tags) {
    if (tags.error().is(core::ErrorKind::cancelled)) {
      answer = cancelled_error("listing tags");
    } else {
      decision.registry.stops_note =
          "the stops' tags could not be checked (" + tags.error().message + "); every stop is kept";
      decision.flagged_for_manual_review.push_back(decision.registry.stops_note);
    }
    co_return answer;
  }
  auto checked = adapters::registry::keep_published_stops(std::move(decision.risk.stops), *tags);
  decision.risk.stops = std::move(checked.kept);
  for (auto& skipped : checked.skipped) {
    decision.flagged_for_manual_review.push_back("CAUTION stop " + skipped.stop.image_tag + " skipped: " +
                                                 skipped.reason);
    decision.registry.skipped_stops.push_back(std::move(skipped.reason));
  }
  co_return answer;
}

// Each step's pins, chained: the digest a pin has after step k is where step
// k+1 moves it from.
asio::awaitable<core::Expected<void>> add_pins(ports::Registry& registry, const DecisionRequest& request,
                                               core::Deadline deadline, Decision& decision) {
  core::Expected<void> answer;
  for (const auto& original : request.pins) {
    std::vector<std::string> had{original};
    std::string refused;
    for (auto& step : decision.steps) {
      if (step.to.empty() || request.chart) break;
      terraform::PinMove move;
      if (refused.empty()) {
        std::vector<std::string> from{had.back()};  // named: no braced temporaries inside co_await (g++ 12)
        auto moved = co_await pin_moves(registry, request.image, std::move(from), step.to, deadline);
        if (!moved) {
          answer = moved.error();
          co_return answer;
        }
        move = moved->begin()->second;
        if (move.digest.empty()) refused = move.reason;
      }
      if (!refused.empty()) move = terraform::PinMove{"", refused};
      for (const auto& digest : had) step.pins[digest] = move;
      if (!move.digest.empty()) had.push_back(move.digest);
    }
  }
  co_return answer;
}

}  // namespace

std::string_view to_string(TargetState state) {
  switch (state) {
    case TargetState::exists: return "exists";
    case TargetState::missing: return "missing";
    case TargetState::unchecked: return "unchecked";
  }
  return "unchecked";
}

asio::awaitable<core::Expected<std::map<std::string, terraform::PinMove>>> pin_moves(
    ports::Registry& registry, core::ImageRef image, std::vector<std::string> pins, std::string tag,
    core::Deadline deadline) {
  std::map<std::string, terraform::PinMove> out;
  for (const auto& pin : pins) {
    if (out.count(pin) != 0) continue;
    core::ImageRef pinned = bare(image);
    pinned.digest = pin;
    auto resolved = co_await adapters::registry::resolve_pin(registry, pinned, tag, deadline);
    if (!resolved) {
      if (resolved.error().is(core::ErrorKind::cancelled)) co_return cancelled_error("moving the pin " + pin);
      out[pin] = terraform::PinMove{"", resolved.error().message};
      continue;
    }
    out[pin] = terraform::PinMove{resolved->digest, resolved->why};
  }
  co_return out;
}

asio::awaitable<core::Expected<Decision>> decide(ports::ChangelogSource& changelogs, ports::ChartIndex& charts,
                                                 ports::Registry& registry, DecisionRequest request,
                                                 core::Deadline deadline) {
  Decision decision;
  auto target_checked = co_await check_target(registry, request, deadline, decision);
  if (!target_checked) co_return target_checked.error();
  if (decision.registry.target == TargetState::missing) co_return decision;
  if (decision.registry.target == TargetState::unchecked) {
    decision.flagged_for_manual_review.push_back(decision.registry.note);
  }
  ChartPart chart;
  chart.current = request.current_tag;
  chart.step_from = request.current_tag;
  chart.step_to = request.target_tag;
  const std::string& target = request.target_tag;

  if (request.chart) {
    auto lookup = co_await charts.chart_for_app_version(request.chart->repository, request.chart->chart, target,
                                                        deadline, request.chart->current_version);
    if (!lookup) co_return lookup.error();
    chart = use_chart(decision, *request.chart, std::move(*lookup));
  }
  const std::string& current = chart.current;

  auto current_tag = core::parse_tag(current);
  auto target_tag = core::parse_tag(target);
  core::RiskInput in;
  in.stack = request.stack;
  in.keywords = request.config.breaking_change_keywords;
  in.always_step = request.config.always_step(request.stack);
  in.step_mode = request.step_mode;
  if (target_tag) in.target = *target_tag;
  if (current_tag) in.current = *current_tag;

  auto resolved = co_await changelogs.resolve_repo(request.image, request.config.github_repo_override(request.image),
                                                   deadline);
  if (!resolved) co_return resolved.error();
  decision.repo = std::move(*resolved);
  if (!chart.changelog_missing.empty()) {
    in.changelog_missing_reason = chart.changelog_missing;
  } else if (!current_tag || !target_tag || !current_tag->is_version() || !target_tag->is_version()) {
    in.changelog_missing_reason = "the tags " + current + " and " + target + " are not both versions";
  } else if (!decision.repo.repo) {
    in.changelog_missing_reason = decision.repo.reason;
  } else {
    auto log = co_await changelogs.changelog(*decision.repo.repo, *current_tag, *target_tag, deadline);
    if (!log) co_return log.error();
    decision.changelog = std::move(*log);
    in.changelog = decision.changelog.changelog;
    in.changelog_missing_reason = decision.changelog.missing_reason;
    for (const auto& gap : decision.changelog.gaps) decision.flagged_for_manual_review.push_back(gap);
  }
  decision.github_requests = decision.repo.requests + decision.changelog.requests;
  decision.risk = core::assess_risk(in);
  decision.backup = backup_plan(request.config, request.stack, request.namespace_name, decision.risk.risk);
  auto stops_checked = co_await check_stops(registry, request, deadline, decision);
  if (!stops_checked) co_return stops_checked.error();
  add_steps(decision, request, chart);
  if (decision.registry.target == TargetState::unchecked) {
    // Said in the report too, not only in the commit.
    for (auto& step : decision.steps) step.slack_starting += "\nNote: " + decision.registry.note;
  }
  auto pinned = co_await add_pins(registry, request, deadline, decision);
  if (!pinned) co_return pinned.error();
  co_return decision;
}

}  // namespace ua::plan
