#include "upgrade_agent/plan/network_plan.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "upgrade_agent/adapters/git/message.hpp"

namespace ua::plan {

namespace gh = adapters::github;
namespace asio = boost::asio;

namespace {

constexpr std::size_t kSummaryLines = 3;
constexpr std::size_t kSummaryWidth = 160;
constexpr std::size_t kBreakingEntries = 6;
constexpr std::size_t kSlackExcerpts = 5;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::string clip(std::string_view s, std::size_t width) {
  if (s.size() <= width) return std::string(s);
  std::size_t end = width;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0U) == 0x80U) --end;
  return std::string(s.substr(0, end)) + "…";
}

// "- **Fix** a crash (#12)" -> "**Fix** a crash (#12)": list markers off; the
// words stay as written.
std::string plain(std::string_view line) {
  line = trim(line);
  while (!line.empty() && (line.front() == '-' || line.front() == '*' || line.front() == '+' || line.front() == '>')) {
    line.remove_prefix(1);
    line = trim(line);
  }
  return std::string(line);
}

// Lines worth quoting: not headings, fences, links-only lines, HTML comments,
// dependency noise or anything carrying a CI skip directive.
std::vector<std::string> quotable_lines(std::string_view body) {
  std::vector<std::string> out;
  bool fenced = false;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const auto end = body.find('\n', pos);
    const auto raw = trim(body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    pos = end == std::string_view::npos ? body.size() + 1 : end + 1;
    if (raw.rfind("```", 0) == 0 || raw.rfind("~~~", 0) == 0) {
      fenced = !fenced;
      continue;
    }
    if (fenced || raw.empty() || raw.front() == '#' || raw.rfind("<!--", 0) == 0 || raw.rfind("**Full Changelog**", 0) == 0 ||
        raw.rfind("http", 0) == 0 || core::is_dependency_noise(raw) || adapters::git::find_ci_skip_directive(raw)) {
      continue;
    }
    auto text = plain(raw);
    if (text.size() < 3) continue;
    out.push_back(std::move(text));
  }
  return out;
}

bool mentions_security(std::string_view line) {
  const auto l = lower(line);
  return l.find("security") != std::string::npos || l.find("cve-") != std::string::npos ||
         l.find("vulnerab") != std::string::npos;
}

// The releases of a step: strictly after `from`, up to and including `to`.
std::vector<core::ReleaseNote> releases_between(const core::Changelog& log, std::string_view from,
                                                std::string_view to) {
  auto f = core::parse_tag(from);
  auto t = core::parse_tag(to);
  if (!f || !t) return {};
  return gh::in_range(log.releases, *f, *t);
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

}  // namespace

std::vector<std::string> excerpt(const core::Evidence& hit, const core::Changelog* changelog) {
  const auto hit_line = trim(hit.line);
  if (hit_line.empty() || hit_line.front() != '#') return {plain(hit_line)};
  const core::ReleaseNote* note = nullptr;
  if (changelog) {
    for (const auto& r : changelog->releases) {
      if (r.tag == hit.release) note = &r;
    }
  }
  if (!note || hit.line_number == 0) return {};
  // The section under the heading: the lines after it up to the next heading.
  std::string section;
  std::size_t number = 0;
  std::size_t pos = 0;
  const std::string_view body = note->body;
  while (pos <= body.size()) {
    const auto end = body.find('\n', pos);
    const auto line = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    ++number;
    if (number > hit.line_number) {
      if (!trim(line).empty() && trim(line).front() == '#') break;
      section += std::string(line) + "\n";
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  auto lines = quotable_lines(section);
  if (lines.size() > 3) lines.resize(3);
  return lines;
}

BackupPlan backup_plan(const config::UpgradeConfig& config, std::string_view stack, std::string_view namespace_name,
                       core::Risk risk) {
  BackupPlan out;
  out.job_name = "pre-upgrade-" + std::string(stack) + "-<unix time>";
  const std::string ns(namespace_name);
  const auto conditional = [&](const std::string& why) {
    out.would_back_up = true;
    out.namespace_name = ns;
    out.description = why + ": a Job " + out.job_name + " from the backup CronJob in namespace " + ns +
                      ", if one exists there (listed at run time)";
    out.commit_line = "yes (job: " + out.job_name + ") if namespace " + ns + " has a backup CronJob, else skipped";
  };
  const auto* db = config.db_backed(stack);
  if (db && db->shared) {
    out.db_backed = true;
    const auto infra = config.backup_infrastructure.find(db->type);
    if (infra == config.backup_infrastructure.end()) {
      out.description = std::string(stack) + " is DB-backed (" + db->type +
                        ", shared) but backup_infrastructure has no '" + db->type + "' entry: the run would abort";
      out.commit_line = "failed (no backup_infrastructure." + db->type + ")";
      return out;
    }
    out.would_back_up = true;
    out.cronjob = infra->second.cronjob_name;
    out.namespace_name = infra->second.namespace_name;
  } else if (db && db->dedicated) {
    out.db_backed = true;
    if (!db->backup_cronjob) {
      conditional(std::string(stack) + " has a dedicated " + db->type + " database");
      return out;
    }
    out.would_back_up = true;
    out.cronjob = *db->backup_cronjob;
    out.namespace_name = db->backup_namespace.value_or(ns);
  } else if (db) {
    out.db_backed = true;
    conditional(std::string(stack) + " is DB-backed (" + db->type + ")");
    return out;
  } else if (risk == core::Risk::caution) {
    conditional("CAUTION (the seed backs up even when not DB-backed)");
    return out;
  } else {
    out.description = "none: " + std::string(stack) + " is not in db_backed_services";
    out.commit_line = "no (not DB-backed)";
    return out;
  }
  out.description = "Job " + out.job_name + " from cronjob/" + out.cronjob + " in namespace " + out.namespace_name +
                    " (as kubectl create job --from=cronjob/" + out.cronjob + "), awaited to completion; failure aborts";
  out.commit_line = "yes (job: " + out.job_name + ")";
  return out;
}

std::vector<std::string> changelog_summary(const core::Changelog& changelog, const core::RiskAssessment& risk) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& release, const std::string& line) {
    if (out.size() >= kSummaryLines) return;
    auto text = clip(release + ": " + line, kSummaryWidth);
    if (seen.insert(text).second) out.push_back(std::move(text));
  };
  // Newest first: the target's notes matter most.
  std::vector<const core::ReleaseNote*> newest;
  for (auto it = changelog.releases.rbegin(); it != changelog.releases.rend(); ++it) newest.push_back(&*it);
  for (const auto* r : newest) {
    for (const auto& line : quotable_lines(r->body)) {
      if (mentions_security(line)) add(r->tag, line);
    }
  }
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword || adapters::git::find_ci_skip_directive(e.line)) continue;
    const bool in_log = std::any_of(newest.begin(), newest.end(), [&](const auto* r) { return r->tag == e.release; });
    if (!in_log) continue;
    for (const auto& line : excerpt(e, &changelog)) add(e.release, line);
  }
  for (const auto* r : newest) {
    const auto lines = quotable_lines(r->body);
    if (!lines.empty()) add(r->tag, lines.front());
  }
  return out;
}

std::vector<std::string> breaking_changes(const core::RiskAssessment& risk, std::string_view from, std::string_view to,
                                          const core::Changelog* changelog) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  if (risk.jump == core::JumpKind::major) out.push_back("major version " + std::string(from) + " -> " + std::string(to));
  std::size_t more = 0;
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword) continue;
    for (const auto& line : excerpt(e, changelog)) {
      if (adapters::git::find_ci_skip_directive(line)) continue;
      auto text = clip(e.release + ": " + line, kSummaryWidth);
      if (!seen.insert(text).second) continue;
      if (out.size() >= kBreakingEntries) {
        ++more;
        continue;
      }
      out.push_back(std::move(text));
    }
  }
  if (more > 0) out.push_back("(" + std::to_string(more) + " more in the release notes)");
  return out;
}

std::string slack_starting_text(std::string_view stack, std::string_view from, std::string_view to,
                                const core::RiskAssessment& risk, const core::Changelog* changelog) {
  std::string text = "[Upgrade Agent] Starting: *" + std::string(stack) + "* " + std::string(from) + " -> " +
                     std::string(to) + " (risk: " + std::string(core::to_string(risk.risk)) + ")";
  if (risk.risk != core::Risk::caution) return text;
  std::vector<std::string> lines;
  for (const auto& e : risk.evidence) {
    if (e.kind != core::Evidence::Kind::keyword) continue;
    for (const auto& quoted : excerpt(e, changelog)) {
      const auto line = "- " + e.release + ": " + clip(quoted, kSummaryWidth);
      if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
    }
  }
  std::vector<std::string> reasons = risk.reasons;
  text += "\nWhy: ";
  for (std::size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
  if (!lines.empty()) {
    text += "\nBreaking changes:";
    for (std::size_t i = 0; i < lines.size() && i < kSlackExcerpts; ++i) text += "\n" + lines[i];
    if (lines.size() > kSlackExcerpts) text += "\n(" + std::to_string(lines.size() - kSlackExcerpts) + " more)";
  }
  return text;
}

asio::awaitable<NetworkPlan> build_network_plan(Services services, Request request, net::Clock::time_point deadline) {
  NetworkPlan plan;
  gh::Client github(services.http, services.github);
  std::string current = request.current_tag;
  std::string target = request.target_tag;
  std::string step_from = current;  // pattern C: chart versions
  std::string step_to = target;
  std::string changelog_missing;

  if (request.chart) {
    adapters::helm::Client helm(services.http, services.pool);
    auto looked_up = co_await helm.chart_for_app_version(request.chart->repository, request.chart->chart, target,
                                                         deadline, request.chart->current_version);
    adapters::helm::ChartLookup lookup;
    if (looked_up) {
      lookup = std::move(*looked_up);
    } else {
      lookup.reason = looked_up.error().describe();
    }
    if (lookup.manual_review) plan.flagged_for_manual_review.push_back(lookup.reason);
    step_from = request.chart->current_version;
    step_to = lookup.chosen ? lookup.chosen->version : std::string();
    if (!lookup.chosen && !lookup.manual_review) {
      plan.flagged_for_manual_review.push_back(lookup.reason);
    }
    if (lookup.current_app_version) {
      current = *lookup.current_app_version;
    } else {
      current.clear();
      changelog_missing = "the image version chart " + request.chart->chart + " " + request.chart->current_version +
                          " ships is not known (" + (lookup.reason.empty() ? "not listed in the index" : lookup.reason) +
                          ")";
    }
    plan.chart = std::move(lookup);
  }

  auto current_tag = core::parse_tag(current);
  auto target_tag = core::parse_tag(target);
  core::RiskInput in;
  in.stack = request.stack;
  in.keywords = request.config.breaking_change_keywords;
  in.always_step = request.config.always_step(request.stack);
  in.step_mode = request.step_mode == config::StepMode::each ? core::StepMode::each : core::StepMode::stops;
  if (target_tag) in.target = *target_tag;
  if (current_tag) in.current = *current_tag;

  auto resolved = co_await github.resolve_repo(request.image, request.config.github_repo_override(request.image), deadline);
  if (resolved) {
    plan.repo = std::move(*resolved);
  } else {
    plan.repo.reason = resolved.error().describe();
  }
  if (!changelog_missing.empty()) {
    in.changelog_missing_reason = changelog_missing;
  } else if (!current_tag || !target_tag || !current_tag->is_version() || !target_tag->is_version()) {
    in.changelog_missing_reason = "the tags " + current + " and " + target + " are not both versions";
  } else if (!plan.repo.repo) {
    in.changelog_missing_reason = plan.repo.reason;
  } else {
    auto log = co_await github.changelog(*plan.repo.repo, *current_tag, *target_tag, deadline);
    if (log) {
      plan.changelog = std::move(*log);
    } else {
      plan.changelog.missing_reason = log.error().describe();
    }
    in.changelog = plan.changelog.changelog;
    in.changelog_missing_reason = plan.changelog.missing_reason;
    for (const auto& gap : plan.changelog.gaps) plan.flagged_for_manual_review.push_back(gap);
  }
  plan.github_requests = github.requests();
  plan.risk = core::assess_risk(in);
  plan.backup = backup_plan(request.config, request.stack, request.namespace_name, plan.risk.risk);

  // One step per stop (pattern C: one chart bump; stepping through chart
  // versions is left to a person).
  std::vector<core::Stop> stops = plan.risk.stops;
  if (request.chart) {
    if (stops.size() > 1) {
      plan.flagged_for_manual_review.push_back("CAUTION stops at " + std::to_string(stops.size() - 1) +
                                               " intermediate releases: stepping through chart versions is not planned");
    }
    stops = {core::Stop{stops.back().release, step_to, stops.back().why}};
  }
  std::string from = step_from;
  for (const auto& stop : stops) {
    Step step;
    step.from = from;
    step.to = stop.image_tag;
    step.release = stop.release;
    step.why = stop.why;
    std::vector<core::ReleaseNote> releases;
    if (plan.changelog.changelog) {
      releases = request.chart ? plan.changelog.changelog->releases
                               : releases_between(*plan.changelog.changelog, from, stop.image_tag);
    }
    auto part = evidence_of(plan.risk, releases);
    if (auto f = core::parse_tag(step.from), t = core::parse_tag(step.to); f && t && !request.chart) {
      part.jump = core::jump_between(core::bare_version(*f), core::bare_version(*t));
    }
    adapters::git::UpgradeMessage message;
    message.stack = request.stack;
    message.old_version = step.from;
    message.new_version = step.to;
    if (plan.changelog.changelog) {
      core::Changelog slice{releases, plan.changelog.changelog->source};
      message.changelog_summary = changelog_summary(slice, part);
    }
    message.risk = std::string(core::to_string(plan.risk.risk));
    const core::Changelog* log = plan.changelog.changelog ? &*plan.changelog.changelog : nullptr;
    message.breaking_changes = breaking_changes(part, step.from, step.to, log);
    message.db_backup = plan.backup.commit_line;
    message.flagged_for_review = plan.flagged_for_manual_review;
    if (step.to.empty()) {
      step.commit_message = "(none: no chart version to move to)";
    } else if (auto text = adapters::git::build_upgrade_message(message)) {
      step.commit_message = std::move(*text);
    } else {
      step.commit_message = "(cannot be built: " + text.error().message + ")";
    }
    auto slack_view = plan.risk;
    slack_view.evidence = part.evidence;
    step.slack_starting =
        slack_starting_text(request.stack, step.from, step.to.empty() ? "?" : step.to, slack_view, log);
    plan.steps.push_back(std::move(step));
    from = stop.image_tag;
  }
  co_return plan;
}

std::string to_text(const NetworkPlan& plan) {
  std::string out;
  if (plan.repo.repo) {
    out += "GitHub repository: " + *plan.repo.repo + " (" + plan.repo.how + ")\n";
  } else {
    out += "GitHub repository: none (" + plan.repo.reason + ")\n";
  }
  if (!plan.repo.tried.empty()) {
    out += "  looked up: ";
    for (std::size_t i = 0; i < plan.repo.tried.size(); ++i) out += (i ? "; " : "") + plan.repo.tried[i];
    out += "\n";
  }
  if (plan.chart) {
    const auto& c = *plan.chart;
    if (c.chosen) {
      out += "Chart version: " + c.chosen->version + " (appVersion " + c.chosen->app_version + ", " +
             std::to_string(c.chart_versions) + " versions in the index)\n";
    } else {
      out += "Chart version: none (" + c.reason + ")\n";
    }
  }
  const auto& log = plan.changelog;
  if (log.changelog) {
    out += "Changelog: " + plan.risk.changelog_note;
    if (log.pages_read > 0) {
      out += " (" + std::to_string(log.pages_read) + " page" + (log.pages_read == 1 ? "" : "s") + ", " +
             std::to_string(log.releases_read) + " releases read)";
    }
    out += "\n";
    for (const auto& r : log.changelog->releases) out += "  " + r.tag + (r.url.empty() ? "" : "  " + r.url) + "\n";
  } else {
    out += "Changelog: " + plan.risk.changelog_note + "\n";
  }
  for (const auto& gap : log.gaps) out += "  missing: " + gap + "\n";
  out += "Risk: " + std::string(core::to_string(plan.risk.risk)) + "\n";
  for (const auto& r : plan.risk.reasons) out += "  - " + r + "\n";
  bool header = false;
  for (const auto& e : plan.risk.evidence) {
    if (!header) {
      out += "Evidence:\n";
      header = true;
    }
    if (e.kind == core::Evidence::Kind::new_major) {
      out += "  " + e.release + ": opens a new major version\n";
    } else {
      out += "  " + e.release + (e.line_number == 0 ? " title" : " line " + std::to_string(e.line_number)) + " '" +
             e.keyword + "': " + e.line + "\n";
    }
  }
  out += "Stops:";
  for (const auto& s : plan.steps) out += " " + (s.to.empty() ? std::string("?") : s.to);
  out += "\n";
  if (plan.steps.size() > 1) {
    out += "  (intermediate image tags are the releases' versions in the target tag's spelling; a run checks they "
           "exist)\n";
  }
  out += "DB backup: " + plan.backup.description + "\n";
  for (const auto& f : plan.flagged_for_manual_review) out += "Flagged for manual review: " + f + "\n";
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& s = plan.steps[i];
    out += "\nStep " + std::to_string(i + 1) + " of " + std::to_string(plan.steps.size()) + ": " + s.from + " -> " +
           (s.to.empty() ? "?" : s.to);
    if (!s.why.empty()) {
      out += " (";
      for (std::size_t j = 0; j < s.why.size(); ++j) out += (j ? "; " : "") + s.why[j];
      out += ")";
    }
    out += "\nSlack:\n";
    std::size_t pos = 0;
    while (pos <= s.slack_starting.size()) {
      const auto end = s.slack_starting.find('\n', pos);
      out += "  " + s.slack_starting.substr(pos, end == std::string::npos ? std::string::npos : end - pos) + "\n";
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    out += "Commit message:\n";
    pos = 0;
    while (pos < s.commit_message.size()) {
      const auto end = s.commit_message.find('\n', pos);
      const auto line = s.commit_message.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      out += line.empty() ? "\n" : "  " + line + "\n";
      if (end == std::string::npos) break;
      pos = end + 1;
    }
  }
  return out;
}

}  // namespace ua::plan
