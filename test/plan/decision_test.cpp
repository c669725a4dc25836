#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "sandbox/github/github_simulator.hpp"
#include "sandbox/helm/chart_repo.hpp"
#include "support/coro.hpp"
#include "support/fake_sources.hpp"
#include "support/github_sim.hpp"
#include "support/port_doubles.hpp"
#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/adapters/helm/helm.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/plan/backup.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/plan/messages.hpp"

namespace asio = boost::asio;
namespace sim = ua::sandbox::github;
using namespace std::chrono_literals;
using ua::core::Risk;
using ua::test::seed_config;

namespace ua::core {
inline std::ostream& operator<<(std::ostream& os, Risk r) { return os << to_string(r); }
}  // namespace ua::core

namespace {

ua::core::RiskAssessment assessed(Risk level) {
  ua::core::RiskAssessment r;
  r.risk = level;
  return r;
}

std::string message_of(const ua::plan::Step& step) {
  BOOST_REQUIRE_MESSAGE(step.commit_message, "a commit message");
  return *step.commit_message;
}

ua::plan::DecisionRequest make_request(const std::string& image, const std::string& stack, const std::string& current,
                                       const std::string& target) {
  ua::plan::DecisionRequest r;
  r.image = ua::core::parse_image_ref(image).value();
  r.stack = stack;
  r.namespace_name = stack;
  r.current_tag = current;
  r.target_tag = target;
  r.config = seed_config();
  return r;
}

struct Fixture {
  asio::io_context io;
  ua::runtime::BlockingPool pool{1};
  ua::net::Client http{io.get_executor()};
  ua::test::LocalGithub local{io};
  sim::Simulator& github = local.start();
  std::vector<std::string> published;  // the stops' tags the registry lists

  ua::plan::DecisionRequest request(const std::string& image, const std::string& stack, const std::string& current,
                            const std::string& target) {
    return make_request(image, stack, current, target);
  }

  ua::plan::Decision build(ua::plan::DecisionRequest r) {
    ua::adapters::github::Options options;
    options.api_url = github.url();
    ua::adapters::github::Client changelogs(http, options);
    ua::adapters::helm::Client charts(http, pool);
    ua::test::FakeRegistry registry;
    registry.every_tag_exists = true;
    registry.listed = published;
    auto decided = ua::test::run_expected(
        io, ua::plan::decide(changelogs, charts, registry, std::move(r), std::chrono::steady_clock::now() + 20s));
    BOOST_REQUIRE_MESSAGE(decided, "a decision");
    return std::move(*decided);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(backup)

BOOST_AUTO_TEST_CASE(decided_from_db_backed_services) {
  const auto config = seed_config();
  auto shared_pg = ua::plan::backup_plan(config, "linkwarden", "linkwarden", Risk::safe);
  BOOST_TEST(shared_pg.would_back_up);
  BOOST_TEST(shared_pg.cronjob == "postgresql-backup");
  BOOST_TEST(shared_pg.namespace_name == "dbaas");
  BOOST_TEST(shared_pg.commit_line == "yes (job: pre-upgrade-linkwarden-<unix time>)");
  auto shared_mysql = ua::plan::backup_plan(config, "nextcloud", "nextcloud", Risk::safe);
  BOOST_TEST(shared_mysql.cronjob == "mysql-backup");
  BOOST_TEST(shared_mysql.namespace_name == "dbaas");
  auto dedicated = ua::plan::backup_plan(config, "immich", "immich", Risk::caution);
  BOOST_TEST(dedicated.cronjob == "postgresql-backup");
  BOOST_TEST(dedicated.namespace_name == "immich");
  auto own = ua::plan::backup_plan(config, "authentik", "authentik", Risk::safe);
  BOOST_TEST(own.db_backed);
  BOOST_TEST(own.cronjob.empty());  // listed at run time, not guessed
  BOOST_TEST(own.commit_line.find("if namespace authentik has a backup CronJob") != std::string::npos);
  auto plain = ua::plan::backup_plan(config, "coturn", "coturn", Risk::safe);
  BOOST_TEST(!plain.would_back_up);
  BOOST_TEST(plain.commit_line == "no (not DB-backed)");
  auto caution = ua::plan::backup_plan(config, "coturn", "turn", Risk::caution);
  BOOST_TEST(caution.would_back_up);
  BOOST_TEST(caution.description.find("namespace turn") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(messages)

BOOST_AUTO_TEST_CASE(summary_is_extracted_security_and_breaking_first) {
  ua::core::Changelog log;
  auto note = [](std::string tag, std::string body) {
    ua::core::ReleaseNote n;
    n.tag = std::move(tag);
    n.version = ua::core::release_version(n.tag);
    n.body = std::move(body);
    return n;
  };
  log.releases = {note("1.1.0", "## Features\n- New dashboard\n- Removed the legacy API\n"),
                  note("1.2.0", "- Faster sync\n- Bump foo from 1 to 2\n- Fix CVE-2026-1234 in the parser\n"
                                "**Full Changelog**: https://github.com/a/b/compare/1.1.0...1.2.0\n[skip ci] noted\n")};
  auto risk = assessed(Risk::caution);
  risk.evidence.push_back({ua::core::Evidence::Kind::keyword, "1.1.0", "removed", "- Removed the legacy API", 3});
  const auto summary = ua::plan::changelog_summary(log, risk);
  BOOST_TEST(summary == (std::vector<std::string>{"1.2.0: Fix CVE-2026-1234 in the parser",
                                                   "1.1.0: Removed the legacy API", "1.2.0: Faster sync"}),
             boost::test_tools::per_element());
  BOOST_TEST(ua::plan::breaking_changes(risk, "1.0.0", "1.2.0") ==
                 (std::vector<std::string>{"1.1.0: Removed the legacy API"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(slack_starting_text) {
  BOOST_TEST(ua::plan::slack_starting_text("vaultwarden", "1.35.4", "1.35.7", assessed(Risk::safe)) ==
             "[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -> 1.35.7 (risk: SAFE)");
  auto caution = assessed(Risk::caution);
  caution.reasons = {"breaking-change keywords in 1 release: 4.7.0"};
  caution.evidence.push_back({ua::core::Evidence::Kind::keyword, "4.7.0", "removed",
                              "- Removed `keep-address-family` option", 2});
  BOOST_TEST(ua::plan::slack_starting_text("coturn", "4.6.3-r1", "4.7.0", caution) ==
             "[Upgrade Agent] Starting: *coturn* 4.6.3-r1 -> 4.7.0 (risk: CAUTION)\n"
             "Why: breaking-change keywords in 1 release: 4.7.0\n"
             "Breaking changes:\n- 4.7.0: Removed `keep-address-family` option");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(decision_against_the_simulators, Fixture)

BOOST_AUTO_TEST_CASE(caution_plan_has_a_step_per_stop_with_exact_messages) {
  published = {"4.7.0"};
  auto plan = build(request("coturn/coturn", "coturn", "4.6.3-r1", "4.10.0-r1"));
  BOOST_TEST(plan.risk.risk == Risk::caution);
  BOOST_REQUIRE_EQUAL(plan.steps.size(), 2U);
  BOOST_TEST(plan.steps[0].from == "4.6.3-r1");
  BOOST_TEST(plan.steps[0].to == "4.7.0");
  BOOST_TEST(plan.steps[1].from == "4.7.0");
  BOOST_TEST(plan.steps[1].to == "4.10.0-r1");
  BOOST_TEST(message_of(plan.steps[0]) ==
             "upgrade: coturn 4.6.3-r1 -> 4.7.0\n\n"
             "Changelog summary: 4.7.0: Removed `keep-address-family` option\n"
             "  4.7.0: Removed `response-origin-only-with-rfc5780`\n"
             "Risk: CAUTION\n"
             "Breaking changes: 4.7.0: Removed `keep-address-family` option; 4.7.0: Removed "
             "`response-origin-only-with-rfc5780`\n"
             "DB backup: yes (job: pre-upgrade-coturn-<unix time>) if namespace coturn has a backup CronJob, else "
             "skipped\n"
             "Config changes applied: none\n"
             "Flagged for manual review: none\n\n"
             "Co-Authored-By: Service Upgrade Agent <noreply@viktorbarzin.me>\n");
  BOOST_TEST(message_of(plan.steps[1]).find("Changelog summary: 4.10.0: Fix CVE-2026-40613 in STUN attribute parsing") !=
             std::string::npos, message_of(plan.steps[1]));
  BOOST_TEST(message_of(plan.steps[1]).find("Breaking changes: none") != std::string::npos);
  BOOST_TEST(plan.steps[0].slack_starting.find("[Upgrade Agent] Starting: *coturn* 4.6.3-r1 -> 4.7.0 (risk: CAUTION)") ==
             0U);
  BOOST_TEST(plan.repo.how == "auto-detected from docker.io/coturn/coturn: coturn/coturn");
  BOOST_TEST((plan.repo.source == ua::ports::RepoSource::auto_detect));
  const bool quoted = std::any_of(plan.risk.evidence.begin(), plan.risk.evidence.end(), [](const auto& e) {
    return e.release == "4.7.0" && e.line_number == 2U && e.keyword == "removed" &&
           e.line == "- Removed `keep-address-family` option";
  });
  BOOST_TEST(quoted);
}

BOOST_AUTO_TEST_CASE(safe_plan_with_a_shared_database_backup) {
  auto r = request("vaultwarden/server", "vaultwarden", "1.35.4", "1.35.7");
  r.config.db_backed_services["vaultwarden"] = ua::config::DbBackedService{"postgresql", "vaultwarden", true, false,
                                                                          std::nullopt, std::nullopt, std::nullopt};
  auto plan = build(r);
  BOOST_TEST(plan.risk.risk == Risk::safe);
  BOOST_REQUIRE_EQUAL(plan.steps.size(), 1U);
  BOOST_TEST(plan.backup.cronjob == "postgresql-backup");
  BOOST_TEST(message_of(plan.steps[0]) ==
             "upgrade: vaultwarden 1.35.4 -> 1.35.7\n\n"
             "Changelog summary: 1.35.7: Fix attachment download\n"
             "  1.35.6: Improve admin page\n"
             "Risk: SAFE\n"
             "Breaking changes: none\n"
             "DB backup: yes (job: pre-upgrade-vaultwarden-<unix time>)\n"
             "Config changes applied: none\n"
             "Flagged for manual review: none\n\n"
             "Co-Authored-By: Service Upgrade Agent <noreply@viktorbarzin.me>\n");
  BOOST_TEST(plan.steps[0].slack_starting == "[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -> 1.35.7 (risk: SAFE)");
}

BOOST_AUTO_TEST_CASE(unknown_plan_says_the_changelog_is_unavailable) {
  auto plan = build(request("ghcr.io/nobody/thing", "thing", "1.0.0", "1.1.0"));
  BOOST_TEST(plan.risk.risk == Risk::unknown);
  BOOST_REQUIRE_EQUAL(plan.steps.size(), 1U);
  BOOST_TEST(message_of(plan.steps[0]).find("Changelog summary: unavailable (no changelog found)\nRisk: UNKNOWN\n") !=
             std::string::npos, message_of(plan.steps[0]));
  BOOST_TEST(!plan.repo.repo);
  BOOST_TEST(plan.repo.reason.find("no GitHub repository found") == 0U, plan.repo.reason);
}

BOOST_AUTO_TEST_CASE(always_step_stack_with_a_dedicated_database) {
  auto plan = build(request("ghcr.io/immich-app/immich-server", "immich", "v2.7.4", "v2.8.0"));
  BOOST_TEST(plan.repo.repo.value_or("") == "immich-app/immich");
  BOOST_TEST(plan.risk.risk == Risk::caution);
  BOOST_TEST(plan.backup.cronjob == "postgresql-backup");
  BOOST_TEST(plan.backup.namespace_name == "immich");
  BOOST_TEST(plan.steps.back().to == "v2.8.0");
}

BOOST_AUTO_TEST_CASE(chart_pattern_reads_the_index_and_the_image_changelog) {
  ua::sandbox::helm::ChartRepo charts(io.get_executor(), ua::sandbox::helm::generate_index(1U << 20U));
  BOOST_REQUIRE(charts.start());
  github.scenario().repos.push_back(sim::Repo{"goauthentik/authentik", 0,
                                              {{"version/2026.2.3", "2026.2.3", "- Fix flows", false, false},
                                               {"version/2026.2.2", "2026.2.2", "- Fixes", false, false}},
                                              std::nullopt});
  auto r = request("ghcr.io/goauthentik/server", "authentik", "", "2026.2.3");
  r.config.github_repo_overrides["ghcr.io/goauthentik/server"] = "goauthentik/authentik";
  r.chart = ua::plan::ChartSource{charts.url(), "authentik", "2026.2.2"};
  auto plan = build(r);
  BOOST_REQUIRE(plan.chart);
  BOOST_TEST(plan.chart->chosen->version == "2026.2.3");
  BOOST_TEST(plan.chart->current_app_version.value_or("") == "2026.2.2");
  BOOST_REQUIRE(plan.changelog.changelog);
  BOOST_TEST(plan.changelog.changelog->releases.size() == 1U);
  BOOST_TEST(plan.risk.risk == Risk::caution);  // authentik is in version_jump_always_step
  BOOST_REQUIRE_EQUAL(plan.steps.size(), 1U);
  BOOST_TEST(message_of(plan.steps[0]).find("upgrade: authentik 2026.2.2 -> 2026.2.3\n") == 0U);
  charts.stop();
}

BOOST_AUTO_TEST_CASE(oci_chart_is_flagged_for_manual_review) {
  auto r = request("woodpeckerci/woodpecker-server", "woodpecker", "", "v3.1.0");
  r.chart = ua::plan::ChartSource{"oci://ghcr.io/woodpecker-ci/helm", "woodpecker", "3.0.0"};
  auto plan = build(r);
  BOOST_TEST(plan.chart->manual_review);
  BOOST_REQUIRE(!plan.flagged_for_manual_review.empty());
  BOOST_TEST(plan.flagged_for_manual_review.front().find("flagged for manual review") != std::string::npos);
  BOOST_TEST(plan.risk.risk != Risk::safe);
  BOOST_REQUIRE(!plan.steps[0].commit_message);  // an error value, not a message saying so
  BOOST_TEST(plan.steps[0].commit_message.error().kind == ua::core::ErrorKind::not_found);
  BOOST_TEST(plan.steps[0].commit_message.error().message == "no chart version to move to");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(excerpts)

BOOST_AUTO_TEST_CASE(a_heading_hit_quotes_the_lines_under_it) {
  ua::core::Changelog log;
  ua::core::ReleaseNote n;
  n.tag = "v2.0.0";
  n.version = ua::core::release_version(n.tag);
  n.body = "## Highlights\n- Faster\n\n## Breaking changes\n- PostgreSQL 14 is required\n- Bump x from 1 to 2\n"
           "- The API moved to /v2\n- a\n- Fourth line\n## Fixes\n- Crash";
  log.releases = {n};
  const ua::core::Evidence heading{ua::core::Evidence::Kind::keyword, "v2.0.0", "breaking", "## Breaking changes", 4};
  BOOST_TEST(ua::plan::excerpt(heading, &log) ==
                 (std::vector<std::string>{"PostgreSQL 14 is required", "The API moved to /v2", "Fourth line"}),
             boost::test_tools::per_element());
  const ua::core::Evidence line{ua::core::Evidence::Kind::keyword, "v2.0.0", "removed", "- Removed X", 9};
  BOOST_TEST(ua::plan::excerpt(line, &log) == (std::vector<std::string>{"Removed X"}), boost::test_tools::per_element());
  BOOST_TEST(ua::plan::excerpt(heading, nullptr).empty());  // nothing to quote: nothing invented
  auto risk = assessed(Risk::caution);
  risk.jump = ua::core::JumpKind::major;
  risk.evidence.push_back(heading);
  BOOST_TEST(ua::plan::breaking_changes(risk, "v1.9.0", "v2.0.0", &log) ==
                 (std::vector<std::string>{"major version v1.9.0 -> v2.0.0", "v2.0.0: PostgreSQL 14 is required",
                                           "v2.0.0: The API moved to /v2", "v2.0.0: Fourth line"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// The decision alone, against scripted ports: what it asks, and that a port's
// cancellation comes back as a cancellation.
BOOST_AUTO_TEST_SUITE(decision_with_doubles)

struct Doubles {
  asio::io_context io;
  ua::test::FakeChangelogSource changelogs;
  ua::test::FakeChartIndex charts;
  ua::test::FakeRegistry registry;

  Doubles() { registry.every_tag_exists = true; }

  ua::core::Expected<ua::plan::Decision> decide(ua::plan::DecisionRequest r) {
    return ua::test::run_expected(
        io, ua::plan::decide(changelogs, charts, registry, std::move(r), std::chrono::steady_clock::now() + 5s));
  }

  // example/app 1.0.0 -> 2.0.0: CAUTION, stops at 1.1.0 (breaking) and 2.0.0.
  void script_caution_changelog() {
    changelogs.resolutions.push(ua::test::found_repo("example/app"));
    ua::ports::ChangelogResult log;
    log.changelog = ua::core::Changelog{{ua::test::release("1.1.0", "- Removed the legacy API"),
                                         ua::test::release("2.0.0", "- Faster sync")},
                                        "GitHub releases of example/app"};
    changelogs.changelogs.push(log);
  }
};

ua::core::Error cancelled() { return ua::core::make_error(ua::core::ErrorKind::cancelled, "cancelled", "github"); }

BOOST_FIXTURE_TEST_CASE(a_cancelled_repository_lookup_cancels_the_decision, Doubles) {
  changelogs.resolutions.push(cancelled());
  auto d = decide(make_request("vaultwarden/server", "vaultwarden", "1.35.4", "1.35.7"));
  BOOST_REQUIRE(!d);
  BOOST_TEST(d.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(changelogs.calls == (std::vector<std::string>{"resolve docker.io/vaultwarden/server override=dani-garcia/vaultwarden"}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_changelog_cancels_the_decision, Doubles) {
  changelogs.resolutions.push(ua::test::found_repo("dani-garcia/vaultwarden"));
  changelogs.changelogs.push(cancelled());
  auto d = decide(make_request("vaultwarden/server", "vaultwarden", "1.35.4", "1.35.7"));
  BOOST_REQUIRE(!d);
  BOOST_TEST(d.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(changelogs.calls.back() == "changelog dani-garcia/vaultwarden 1.35.4 1.35.7");
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_chart_lookup_cancels_before_github_is_asked, Doubles) {
  charts.lookups.push(ua::core::make_error(ua::core::ErrorKind::cancelled, "cancelled", "helm"));
  auto r = make_request("ghcr.io/goauthentik/server", "authentik", "", "2026.2.3");
  r.chart = ua::plan::ChartSource{"https://charts.goauthentik.io/", "authentik", "2026.2.2"};
  auto d = decide(r);
  BOOST_REQUIRE(!d);
  BOOST_TEST(d.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(charts.calls == (std::vector<std::string>{"https://charts.goauthentik.io/ authentik 2026.2.3 2026.2.2"}),
             boost::test_tools::per_element());
  BOOST_TEST(changelogs.calls.empty());
}

BOOST_FIXTURE_TEST_CASE(a_missing_changelog_is_a_result_with_its_reason, Doubles) {
  ua::ports::RepoResolution none;
  none.reason = "no GitHub repository found for x";
  none.requests = 2;
  changelogs.resolutions.push(none);
  auto d = decide(make_request("example/app", "app", "1.0.0", "1.1.0"));
  BOOST_REQUIRE(d);
  BOOST_TEST(d->risk.risk == Risk::unknown);
  BOOST_TEST(d->risk.changelog_note.find("no GitHub repository found for x") != std::string::npos, d->risk.changelog_note);
  BOOST_TEST(d->github_requests == 2U);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 1U);
  BOOST_TEST(message_of(d->steps[0]).find("Changelog summary: unavailable") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(every_step_carries_its_messages_and_costs_are_summed, Doubles) {
  changelogs.resolutions.push(ua::test::found_repo("example/app"));
  ua::ports::ChangelogResult log;
  log.changelog = ua::core::Changelog{{ua::test::release("1.1.0", "- Removed the legacy API"),
                                       ua::test::release("2.0.0", "- Faster sync")},
                                      "GitHub releases of example/app"};
  log.requests = 3;
  changelogs.changelogs.push(log);
  registry.listed = {"1.1.0"};
  auto d = decide(make_request("example/app", "app", "1.0.0", "2.0.0"));
  BOOST_REQUIRE(d);
  BOOST_TEST(d->risk.risk == Risk::caution);
  BOOST_TEST(d->github_requests == 4U);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 2U);  // the breaking release, then the new major
  BOOST_TEST(d->steps[0].to == "1.1.0");
  BOOST_TEST(message_of(d->steps[0]).rfind("upgrade: app 1.0.0 -> 1.1.0\n", 0) == 0U);
  BOOST_TEST(message_of(d->steps[0]).find("Breaking changes: 1.1.0: Removed the legacy API") != std::string::npos);
  BOOST_TEST(d->steps[1].slack_starting.rfind("[Upgrade Agent] Starting: *app* 1.1.0 -> 2.0.0 (risk: CAUTION)", 0) == 0U);
  BOOST_TEST(message_of(d->steps[1]).find("Breaking changes: major version 1.1.0 -> 2.0.0") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_message_that_cannot_be_built_is_an_error_value, Doubles) {
  changelogs.resolutions.push(ua::test::found_repo("example/app"));
  ua::ports::ChangelogResult log;
  log.missing_reason = "none";
  changelogs.changelogs.push(log);
  auto r = make_request("example/app", "two words", "1.0.0", "1.0.1");
  auto d = decide(r);
  BOOST_REQUIRE(d);  // the decision stands; only its message is refused
  BOOST_REQUIRE_EQUAL(d->steps.size(), 1U);
  BOOST_REQUIRE(!d->steps[0].commit_message);
  BOOST_TEST(d->steps[0].commit_message.error().kind == ua::core::ErrorKind::bad_input);
  BOOST_TEST(d->steps[0].commit_message.error().message.find("stack must be one non-empty word") != std::string::npos,
             d->steps[0].commit_message.error().message);
}

// The registry's part: the target first, stops at published tags, pins.
BOOST_FIXTURE_TEST_CASE(a_target_tag_the_registry_lacks_is_refused_before_anything_else, Doubles) {
  registry.every_tag_exists = false;
  registry.add_index("1.35.4", {"linux/amd64"});
  auto d = decide(make_request("vaultwarden/server", "vaultwarden", "1.35.4", "9.9.9"));
  BOOST_REQUIRE(d);
  BOOST_TEST((d->registry.target == ua::plan::TargetState::missing));
  BOOST_TEST(d->registry.note == "no tag 9.9.9 in docker.io/vaultwarden/server");
  BOOST_TEST(d->steps.empty());
  BOOST_TEST(changelogs.calls.empty());  // GitHub is not asked
  BOOST_TEST(registry.calls == (std::vector<std::string>{"digest docker.io/vaultwarden/server 9.9.9"}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_registry_is_said_in_the_commit_and_does_not_stop_the_upgrade, Doubles) {
  registry.fail_with = ua::core::make_error(ua::core::ErrorKind::unavailable,
                                            "GET https://registry-1.docker.io/v2/: connection refused", "registry");
  changelogs.resolutions.push(ua::test::found_repo("dani-garcia/vaultwarden"));
  ua::ports::ChangelogResult log;
  log.missing_reason = "none";
  changelogs.changelogs.push(log);
  auto d = decide(make_request("vaultwarden/server", "vaultwarden", "1.35.4", "1.35.7"));
  BOOST_REQUIRE(d);
  BOOST_TEST((d->registry.target == ua::plan::TargetState::unchecked));
  BOOST_TEST(d->registry.note ==
             "the tag's existence could not be checked (GET https://registry-1.docker.io/v2/: connection refused)");
  BOOST_REQUIRE_EQUAL(d->steps.size(), 1U);
  BOOST_TEST(message_of(d->steps[0]).find("Flagged for manual review: the tag's existence could not be checked") !=
                 std::string::npos,
             message_of(d->steps[0]));
  const std::string note =
      "\nNote: the tag's existence could not be checked (GET https://registry-1.docker.io/v2/: connection refused)";
  const auto& starting = d->steps[0].slack_starting;
  BOOST_TEST(starting.rfind("[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -> 1.35.7", 0) == 0U, starting);
  BOOST_TEST((starting.size() > note.size() && starting.substr(starting.size() - note.size()) == note), starting);
}

BOOST_FIXTURE_TEST_CASE(caution_stops_only_at_releases_published_as_tags, Doubles) {
  registry.every_tag_exists = false;
  registry.add_index("1.0.0", {"linux/amd64"});
  registry.add_index("2.0.0", {"linux/amd64"});
  script_caution_changelog();
  auto d = decide(make_request("example/app", "app", "1.0.0", "2.0.0"));
  BOOST_REQUIRE(d);
  BOOST_TEST(d->risk.risk == Risk::caution);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 1U);  // 1.1.0 was released but never published as an image
  BOOST_TEST(d->steps[0].from == "1.0.0");
  BOOST_TEST(d->steps[0].to == "2.0.0");
  BOOST_REQUIRE_EQUAL(d->registry.skipped_stops.size(), 1U);
  BOOST_TEST(d->registry.skipped_stops[0] ==
             "no tag 1.1.0 in docker.io/example/app: release 1.1.0 was not published as an image; skipped");
  BOOST_TEST(message_of(d->steps[0]).find("CAUTION stop 1.1.0 skipped: no tag 1.1.0") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(stops_are_kept_and_said_when_the_tags_cannot_be_listed, Doubles) {
  registry.tags_fail_with = ua::core::make_error(ua::core::ErrorKind::unavailable, "rate-limited until 12:00Z", "registry");
  script_caution_changelog();
  auto d = decide(make_request("example/app", "app", "1.0.0", "2.0.0"));
  BOOST_REQUIRE(d);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 2U);
  BOOST_TEST(d->registry.stops_note.find("rate-limited until 12:00Z") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(pins_move_with_each_stop_index_to_index_and_platform_to_platform, Doubles) {
  registry.every_tag_exists = false;
  const auto index_1_0 = registry.add_index("1.0.0", {"linux/amd64", "linux/arm64"});
  const auto index_1_1 = registry.add_index("1.1.0", {"linux/amd64", "linux/arm64"});
  const auto index_2_0 = registry.add_index("2.0.0", {"linux/amd64", "linux/arm64"});
  const auto arm_1_0 = registry.platform_digest("1.0.0", "linux/arm64");
  script_caution_changelog();
  auto r = make_request("example/app", "app", "1.0.0", "2.0.0");
  r.pins = {index_1_0, arm_1_0};
  auto d = decide(r);
  BOOST_REQUIRE(d);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 2U);
  const auto& first = d->steps[0].pins;
  BOOST_TEST(first.at(index_1_0).digest == index_1_1);
  BOOST_TEST(first.at(index_1_0).reason == "index of 1.1.0");
  BOOST_TEST(first.at(arm_1_0).digest == registry.platform_digest("1.1.0", "linux/arm64"));
  BOOST_TEST(first.at(arm_1_0).reason == "linux/arm64 manifest in 1.1.0's index");
  // The second stop moves the pin from where the first left it (and from the
  // request's digest, for the scan of the original tip).
  const auto& second = d->steps[1].pins;
  BOOST_TEST(second.at(index_1_1).digest == index_2_0);
  BOOST_TEST(second.at(index_1_0).digest == index_2_0);
  BOOST_TEST(second.at(registry.platform_digest("1.1.0", "linux/arm64")).digest ==
             registry.platform_digest("2.0.0", "linux/arm64"));
}

BOOST_FIXTURE_TEST_CASE(a_pin_that_cannot_move_says_why_and_stays_refused_for_later_stops, Doubles) {
  registry.every_tag_exists = false;
  registry.add_index("1.0.0", {"linux/amd64", "linux/arm64"});
  registry.add_index("1.1.0", {"linux/amd64"});  // no arm64 any more
  registry.add_index("2.0.0", {"linux/amd64", "linux/arm64"});
  const auto arm_1_0 = registry.platform_digest("1.0.0", "linux/arm64");
  script_caution_changelog();
  auto r = make_request("example/app", "app", "1.0.0", "2.0.0");
  r.pins = {arm_1_0};
  auto d = decide(r);
  BOOST_REQUIRE(d);
  BOOST_REQUIRE_EQUAL(d->steps.size(), 2U);
  BOOST_TEST(d->steps[0].pins.at(arm_1_0).digest.empty());
  BOOST_TEST(d->steps[0].pins.at(arm_1_0).reason == "1.1.0's index has no linux/arm64 manifest, the platform pinned now");
  BOOST_TEST(d->steps[1].pins.at(arm_1_0).digest.empty());
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_registry_cancels_the_decision, Doubles) {
  registry.fail_with = ua::core::make_error(ua::core::ErrorKind::cancelled, "cancelled", "registry");
  auto d = decide(make_request("vaultwarden/server", "vaultwarden", "1.35.4", "1.35.7"));
  BOOST_REQUIRE(!d);
  BOOST_TEST(d.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(changelogs.calls.empty());
}

BOOST_AUTO_TEST_SUITE_END()
