#include "cli/render_plan.hpp"

#include <boost/json.hpp>

namespace ua::cli {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace

std::string commit_text(const plan::Step& step) {
  if (step.commit_message) return *step.commit_message;
  const auto& error = step.commit_message.error();
  if (error.is(core::ErrorKind::not_found)) return "(none: " + error.message + ")";
  return "(cannot be built: " + error.message + ")";
}

std::string registry_text(const plan::RegistryCheck& check) {
  std::string out = "Registry: ";
  switch (check.target) {
    case plan::TargetState::exists:
      out += "the tag exists (" + (check.digest ? check.digest->digest : std::string("?")) + ")";
      break;
    case plan::TargetState::missing:
    case plan::TargetState::unchecked: out += check.note; break;
  }
  out += "\n";
  for (const auto& s : check.skipped_stops) out += "  stop skipped: " + s + "\n";
  if (!check.stops_note.empty()) out += "  " + check.stops_note + "\n";
  return out;
}

std::string to_text(const plan::Decision& plan) {
  std::string out = registry_text(plan.registry);
  if (plan.registry.target == plan::TargetState::missing) return out;
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
    out += "  (intermediate image tags are the releases' versions in the target tag's spelling, kept only where the "
           "registry has them)\n";
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
    for (const auto& [old_digest, move] : s.pins) {
      out += "\nPin " + old_digest + " -> " + (move.digest.empty() ? "not moved: " + move.reason : move.digest + " (" + move.reason + ")");
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
    const auto message = commit_text(s);
    pos = 0;
    while (pos < message.size()) {
      const auto end = message.find('\n', pos);
      const auto line = message.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      out += line.empty() ? "\n" : "  " + line + "\n";
      if (end == std::string::npos) break;
      pos = end + 1;
    }
  }
  return out;
}

json::object to_json(const plan::Decision& plan) {
  json::object o;
  json::object registry;
  registry["target"] = std::string(plan::to_string(plan.registry.target));
  registry["digest"] = plan.registry.digest ? json::value(plan.registry.digest->digest) : json::value(nullptr);
  registry["media_type"] = plan.registry.digest ? json::value(plan.registry.digest->media_type) : json::value(nullptr);
  registry["note"] = plan.registry.note;
  registry["skipped_stops"] = strings(plan.registry.skipped_stops);
  registry["stops_note"] = plan.registry.stops_note;
  o["registry"] = std::move(registry);
  json::object github;
  github["repo"] = plan.repo.repo ? json::value(*plan.repo.repo) : json::value(nullptr);
  github["source"] = std::string(ports::to_string(plan.repo.source));
  github["how"] = plan.repo.how;
  github["tried"] = strings(plan.repo.tried);
  github["reason"] = plan.repo.reason;
  o["github"] = std::move(github);

  if (plan.chart) {
    const auto& c = *plan.chart;
    json::object chart;
    chart["chosen"] = c.chosen ? json::value(c.chosen->version) : json::value(nullptr);
    chart["app_version"] = c.chosen ? json::value(c.chosen->app_version) : json::value(nullptr);
    chart["current_app_version"] = c.current_app_version ? json::value(*c.current_app_version) : json::value(nullptr);
    chart["manual_review"] = c.manual_review;
    chart["reason"] = c.reason;
    chart["versions"] = c.chart_versions;
    o["chart"] = std::move(chart);
  }

  json::object log;
  const auto& cl = plan.changelog;
  log["available"] = plan.risk.changelog_available;
  log["source"] = cl.changelog ? json::value(cl.changelog->source) : json::value(nullptr);
  log["note"] = plan.risk.changelog_note;
  json::array releases;
  if (cl.changelog) {
    for (const auto& r : cl.changelog->releases) {
      releases.push_back(json::object{{"tag", r.tag}, {"name", r.name}, {"url", r.url}});
    }
  }
  log["releases"] = std::move(releases);
  log["pages_read"] = cl.pages_read;
  log["releases_read"] = cl.releases_read;
  log["gaps"] = strings(cl.gaps);
  o["changelog"] = std::move(log);

  json::object risk;
  risk["level"] = std::string(core::to_string(plan.risk.risk));
  risk["jump"] = plan.risk.jump ? json::value(std::string(core::to_string(*plan.risk.jump))) : json::value(nullptr);
  risk["reasons"] = strings(plan.risk.reasons);
  json::array evidence;
  for (const auto& e : plan.risk.evidence) {
    evidence.push_back(json::object{{"kind", e.kind == core::Evidence::Kind::keyword ? "keyword" : "new_major"},
                                    {"release", e.release},
                                    {"keyword", e.keyword},
                                    {"line", e.line},
                                    {"line_number", e.line_number}});
  }
  risk["evidence"] = std::move(evidence);
  o["risk"] = std::move(risk);

  json::array steps;
  json::array stops;
  for (const auto& s : plan.steps) {
    stops.push_back(json::object{{"from", s.from}, {"to", s.to}, {"release", s.release}, {"why", strings(s.why)}});
    json::array pins;
    for (const auto& [old_digest, move] : s.pins) {
      pins.push_back(json::object{{"from", old_digest},
                                  {"to", move.digest.empty() ? json::value(nullptr) : json::value(move.digest)},
                                  {"reason", move.reason}});
    }
    steps.push_back(json::object{{"from", s.from},
                                 {"to", s.to},
                                 {"release", s.release},
                                 {"why", strings(s.why)},
                                 {"pins", std::move(pins)},
                                 {"commit_message", commit_text(s)},
                                 {"slack_starting", s.slack_starting}});
  }
  o["stops"] = std::move(stops);
  o["steps"] = std::move(steps);

  const auto& b = plan.backup;
  o["backup"] = json::object{{"db_backed", b.db_backed},       {"would_back_up", b.would_back_up},
                             {"cronjob", b.cronjob},           {"namespace", b.namespace_name},
                             {"job_name", b.job_name},         {"description", b.description},
                             {"commit_line", b.commit_line}};
  o["flagged_for_manual_review"] = strings(plan.flagged_for_manual_review);
  o["github_requests"] = plan.github_requests;
  return o;
}

}  // namespace ua::cli
