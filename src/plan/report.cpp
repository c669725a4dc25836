#include "plan/report.hpp"

#include <boost/json.hpp>

namespace ua::plan {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace

json::object to_json(const NetworkPlan& plan) {
  json::object o;
  json::object github;
  github["repo"] = plan.repo.repo ? json::value(*plan.repo.repo) : json::value(nullptr);
  github["source"] = std::string(adapters::github::to_string(plan.repo.source));
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
    steps.push_back(json::object{{"from", s.from},
                                 {"to", s.to},
                                 {"release", s.release},
                                 {"why", strings(s.why)},
                                 {"commit_message", s.commit_message},
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

}  // namespace ua::plan
