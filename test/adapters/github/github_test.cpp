// The adapter against the GitHub simulator: every case ends in a risk and a
// reason, and nothing is invented when data is missing.
#include <boost/test/unit_test.hpp>

#include "net/support.hpp"
#include "support/coro.hpp"
#include "sandbox/github/github_simulator.hpp"
#include "support/github_sim.hpp"
#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"

namespace asio = boost::asio;
namespace gh = ua::adapters::github;
namespace sim = ua::sandbox::github;
using namespace std::chrono_literals;
using ua::core::Risk;
using ua::test::run_coro;
using ua::test::seconds_since;

namespace ua::core {
inline std::ostream& operator<<(std::ostream& os, Risk r) { return os << to_string(r); }
}  // namespace ua::core

namespace {

using ua::test::seed_config;

struct Outcome {
  gh::RepoResolution repo;
  gh::ChangelogResult log;
  ua::core::RiskAssessment risk;
  double seconds = 0;
};

struct Fixture {
  asio::io_context io;
  ua::test::LocalGithub simulator{io};
  ua::config::UpgradeConfig config = seed_config();
  std::string token;
  ua::net::ClientOptions client_options = [] {
    ua::net::ClientOptions o;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    return o;
  }();

  sim::Simulator& start(sim::Scenario scenario) { return simulator.start(std::move(scenario)); }

  Outcome plan(const std::string& image_with_tag, const std::string& target, std::chrono::milliseconds budget = 20s) {
    auto ref = ua::core::parse_image_ref(image_with_tag);
    BOOST_REQUIRE(ref);
    ua::net::Client http(io.get_executor(), client_options);
    gh::Options options;
    options.api_url = simulator->url();
    options.token = token;
    gh::Client github(http, options);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + budget;
    Outcome out;
    out.repo = ua::test::run_expected(io, github.resolve_repo(*ref, config.github_repo_override(*ref), deadline)).value();
    ua::core::RiskInput in;
    in.stack = "svc";
    in.current = ua::core::parse_tag(ref->tag.value()).value();
    in.target = ua::core::parse_tag(target).value();
    in.keywords = config.breaking_change_keywords;
    if (out.repo.repo) {
      out.log = ua::test::run_expected(io, github.changelog(*out.repo.repo, in.current, in.target, deadline)).value();
      in.changelog = out.log.changelog;
      in.changelog_missing_reason = out.log.missing_reason;
    } else {
      in.changelog_missing_reason = out.repo.reason;
    }
    out.seconds = seconds_since(start);
    out.risk = ua::core::assess_risk(in);
    return out;
  }

};

std::vector<std::string> tags_of(const Outcome& o) {
  std::vector<std::string> out;
  if (o.log.changelog) {
    for (const auto& r : o.log.changelog->releases) out.push_back(r.tag);
  }
  return out;
}

std::vector<std::string> stops_of(const Outcome& o) {
  std::vector<std::string> out;
  for (const auto& s : o.risk.stops) out.push_back(s.image_tag);
  return out;
}

void expect_nothing_invented(const Outcome& o) {
  BOOST_TEST(!o.log.changelog.has_value());
  BOOST_TEST(o.risk.evidence.empty());
  BOOST_TEST(!o.risk.changelog_available);
  BOOST_REQUIRE_EQUAL(o.risk.stops.size(), 1U);
  BOOST_TEST(o.risk.stops[0].release.empty());
}

sim::Scenario only(sim::Repo repo) {
  sim::Scenario s;
  s.repos.push_back(std::move(repo));
  return s;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(github_adapter, Fixture)

BOOST_AUTO_TEST_CASE(contract_releases_give_caution_with_the_removed_options) {
  start(sim::default_scenario());
  auto o = plan("docker.io/coturn/coturn:4.6.3-r1", "4.10.0-r1");
  BOOST_TEST(o.repo.repo.value_or("") == "coturn/coturn");
  BOOST_TEST((o.repo.source == gh::RepoSource::auto_detect));
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"4.7.0", "4.10.0"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::caution);
  BOOST_REQUIRE(!o.risk.evidence.empty());
  BOOST_TEST(o.risk.evidence[0].release == "4.7.0");
  BOOST_TEST(o.risk.evidence[0].keyword == "removed");
  BOOST_TEST(o.risk.evidence[0].line == "- Removed `keep-address-family` option");
  BOOST_TEST(stops_of(o) == (std::vector<std::string>{"4.7.0", "4.10.0-r1"}), boost::test_tools::per_element());
  BOOST_TEST(o.log.changelog->releases[0].url == "https://github.com/coturn/coturn/releases/tag/4.7.0");
  BOOST_TEST(o.log.gaps.empty());
}

BOOST_AUTO_TEST_CASE(prerelease_target_includes_prereleases_only_then) {
  start(sim::default_scenario());
  auto o = plan("coturn/coturn:4.7.0", "4.10.0-rc1");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"4.10.0-rc1"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::safe);
}

BOOST_AUTO_TEST_CASE(override_is_used_and_dependency_noise_ignored) {
  start(sim::default_scenario());
  auto o = plan("vaultwarden/server:1.35.4", "1.35.7");
  BOOST_TEST(o.repo.repo.value_or("") == "dani-garcia/vaultwarden");
  BOOST_TEST((o.repo.source == gh::RepoSource::override_config));
  BOOST_TEST(o.repo.how == "github_repo_overrides: vaultwarden/server -> dani-garcia/vaultwarden");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"1.35.6", "1.35.7"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::safe);
  BOOST_TEST(simulator->count("/repos/vaultwarden") == 0U);  // the override is asked, not the image name
}

BOOST_AUTO_TEST_CASE(two_hundred_fifty_releases_over_three_pages) {
  start(only(sim::Repo{"acme/big", 0, sim::numbered_releases(250), std::nullopt}));
  auto o = plan("ghcr.io/acme/big:v1.0.0", "v3.49.0");
  BOOST_TEST(o.log.pages_read == 3U);
  BOOST_TEST(o.log.releases_read == 250U);
  BOOST_TEST(simulator->count("/repos/acme/big/releases") == 1U);
  BOOST_TEST(simulator->count("/repositories/") == 2U);  // pages 2 and 3 through the Link header
  BOOST_REQUIRE(o.log.changelog);
  BOOST_TEST(o.log.changelog->releases.size() == 249U);
  BOOST_TEST(o.log.changelog->releases.front().tag == "v1.1.0");
  BOOST_TEST(o.log.changelog->releases.back().tag == "v3.49.0");
  BOOST_TEST(o.risk.risk == Risk::caution);
  BOOST_TEST(o.risk.reasons.front() == "major version bump: v1.0.0 -> v3.49.0");
  BOOST_TEST(stops_of(o) == (std::vector<std::string>{"v2.0.0", "v3.0.0", "v3.49.0"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(paging_stops_once_the_current_version_is_passed) {
  start(only(sim::Repo{"acme/big", 0, sim::numbered_releases(250), std::nullopt}));
  auto o = plan("ghcr.io/acme/big:v3.40.0", "v3.49.0");
  BOOST_TEST(o.log.pages_read == 1U);
  BOOST_TEST(tags_of(o).size() == 9U);
  BOOST_TEST(o.risk.risk == Risk::safe);
}

BOOST_AUTO_TEST_CASE(drafts_are_ignored) {
  sim::Repo repo{"acme/tool", 0, {}, std::nullopt};
  repo.releases = {{"1.3.0", "1.3.0", "- fixes", false, false},
                   {"1.2.0", "1.2.0 draft", "BREAKING: removed everything", true, false},
                   {"1.1.0", "1.1.0", "- more", false, false}};
  start(only(repo));
  auto o = plan("ghcr.io/acme/tool:1.1.0", "1.3.0");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"1.3.0"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::safe);
  BOOST_TEST(o.risk.evidence.empty());
}

BOOST_AUTO_TEST_CASE(missing_repo_found_by_stripping_the_suffix) {
  start(sim::default_scenario());
  config.github_repo_overrides.clear();
  config.version_jump_always_step.clear();
  auto o = plan("ghcr.io/immich-app/immich-server:v2.7.4", "v2.8.0");
  BOOST_TEST(o.repo.repo.value_or("") == "immich-app/immich");
  BOOST_TEST((o.repo.source == gh::RepoSource::suffix_stripped));
  BOOST_REQUIRE_EQUAL(o.repo.tried.size(), 2U);
  BOOST_TEST(o.repo.tried[0] == "immich-app/immich-server: 404 Not Found");
  BOOST_TEST(o.repo.how.find("found after stripping the suffix") != std::string::npos, o.repo.how);
  BOOST_TEST(o.risk.risk == Risk::caution);  // "renamed" in v2.8.0
  const bool renamed_found = std::any_of(o.risk.evidence.begin(), o.risk.evidence.end(), [](const auto& e) {
    return e.keyword == "renamed" && e.release == "v2.8.0" &&
           e.line == "- The `IMMICH_MACHINE_LEARNING_URL` setting was renamed";
  });
  BOOST_TEST(renamed_found);
}

BOOST_AUTO_TEST_CASE(no_repo_at_all_is_unknown_with_the_tries) {
  start(sim::default_scenario());
  auto o = plan("ghcr.io/nobody/thing-app:1.0.0", "1.1.0");
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(o.repo.reason == "no GitHub repository found for ghcr.io/nobody/thing-app (tried nobody/thing-app: "
                              "404 Not Found; nobody/thing: 404 Not Found)");
  BOOST_TEST(o.risk.risk == Risk::unknown);
  BOOST_TEST(o.risk.changelog_note == "no changelog: " + o.repo.reason);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(missing_override_is_not_asked_twice) {
  start(sim::default_scenario());
  auto o = plan("lscr.io/linuxserver/prowlarr:1.32.2", "1.33.0");  // the seed's override, absent here
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(simulator->count("/repos/linuxserver/docker-prowlarr") == 1U);
  BOOST_TEST(o.repo.reason.find("github_repo_overrides maps lscr.io/linuxserver/prowlarr to linuxserver/docker-prowlarr, "
                                "which GitHub does not have (404)") == 0U, o.repo.reason);
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(official_images_ask_nothing) {
  start(sim::default_scenario());
  auto o = plan("nginx:1.27.0", "1.27.1");
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(o.repo.reason.find("official Docker Hub image") != std::string::npos);
  BOOST_TEST(simulator->log().empty());
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(renamed_repository_is_followed) {
  auto scenario = only(sim::Repo{"neworg/widget", 0, {{"2.1.0", "", "- faster", false, false},
                                                      {"2.0.1", "", "- fix", false, false}}, std::nullopt});
  scenario.renamed["oldorg/widget"] = "neworg/widget";
  start(scenario);
  auto o = plan("ghcr.io/oldorg/widget:2.0.1", "2.1.0");
  BOOST_TEST(o.repo.repo.value_or("") == "neworg/widget");
  BOOST_TEST(o.repo.how.find("renamed on GitHub to neworg/widget") != std::string::npos, o.repo.how);
  BOOST_TEST(o.repo.tried[0] == "oldorg/widget: found (renamed to neworg/widget)");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"2.1.0"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::safe);
}

BOOST_AUTO_TEST_CASE(rate_limit_with_a_reset_inside_the_deadline_waits) {
  auto scenario = sim::default_scenario();
  scenario.faults.rate_limited = 1;
  scenario.faults.reset_in = 1s;
  start(scenario);
  auto o = plan("vaultwarden/server:1.35.4", "1.35.7");
  BOOST_TEST(o.repo.repo.value_or("") == "dani-garcia/vaultwarden");
  BOOST_TEST(o.risk.risk == Risk::safe);
  BOOST_TEST(o.seconds >= 0.9);  // waited for the reset (plus the margin)
  BOOST_TEST(o.seconds < 5.0);
  BOOST_TEST(simulator->log().front().status == 403);
}

BOOST_AUTO_TEST_CASE(rate_limit_past_the_deadline_is_unknown_at_once) {
  auto scenario = sim::default_scenario();
  scenario.faults.rate_limited = 100;
  scenario.faults.reset_in = 3600s;
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0", 10s);
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(o.repo.reason.find("primary rate limit exhausted (resets at") != std::string::npos, o.repo.reason);
  BOOST_TEST(o.repo.reason.find("past this request's deadline") != std::string::npos, o.repo.reason);
  BOOST_TEST(o.repo.reason.find("set GITHUB_TOKEN") != std::string::npos, o.repo.reason);
  BOOST_TEST(o.seconds < 1.0);
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(secondary_rate_limit_retry_after_is_honoured) {
  auto scenario = sim::default_scenario();
  scenario.faults.rate_limited = 1;
  scenario.faults.retry_after = 1s;
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(o.repo.repo.value_or("") == "coturn/coturn");
  BOOST_TEST(o.seconds >= 0.95);
  BOOST_TEST(o.risk.risk == Risk::caution);
}

BOOST_AUTO_TEST_CASE(rate_limit_429_with_reset_is_waited_out) {
  auto scenario = sim::default_scenario();
  scenario.faults.rate_limited = 1;
  scenario.faults.rate_limit_status = 429;
  scenario.faults.reset_in = 1s;
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(o.repo.repo.value_or("") == "coturn/coturn");
  BOOST_TEST(o.risk.risk == Risk::caution);
  BOOST_TEST(simulator->log().front().status == 429);
}

BOOST_AUTO_TEST_CASE(server_error_then_success) {
  auto scenario = sim::default_scenario();
  scenario.faults.server_errors = 2;
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3-r1", "4.10.0-r1");
  BOOST_TEST(o.repo.repo.value_or("") == "coturn/coturn");
  BOOST_TEST(o.risk.risk == Risk::caution);
  BOOST_TEST(simulator->log()[0].status == 500);
  BOOST_TEST(simulator->log()[1].status == 500);
  BOOST_TEST(simulator->log()[2].status == 200);
}

BOOST_AUTO_TEST_CASE(persistent_server_errors_are_unknown) {
  auto scenario = sim::default_scenario();
  start(scenario);
  auto ref = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");  // warm: repo found
  BOOST_TEST(ref.repo.repo.has_value());
  simulator->scenario().faults.server_errors = 1000;
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(o.repo.reason == "cannot verify the repository: coturn/coturn: GitHub answered 500 (Server Error)");
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_unknown_with_the_reason) {
  auto scenario = sim::default_scenario();
  scenario.faults.malformed.push_back("/repos/coturn/coturn/releases");
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(o.repo.repo.value_or("") == "coturn/coturn");
  BOOST_TEST(o.log.missing_reason.find("malformed JSON in page 1 of the releases of coturn/coturn") == 0U,
             o.log.missing_reason);
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(slow_server_past_the_deadline_is_unknown_in_time) {
  auto scenario = sim::default_scenario();
  scenario.faults.delay = 3s;
  start(scenario);
  auto o = plan("docker.io/coturn/coturn:4.6.3", "4.10.0", 1s);
  BOOST_TEST(o.seconds < 1.6);
  BOOST_TEST(!o.repo.repo);
  BOOST_TEST(o.repo.reason.find("request deadline reached while waiting for the response") != std::string::npos,
             o.repo.reason);
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(changelog_md_when_there_are_no_releases) {
  start(sim::default_scenario());
  auto o = plan("ghcr.io/example/app:1.1.0", "1.2.0");
  BOOST_REQUIRE(o.log.changelog);
  BOOST_TEST(o.log.changelog->source == "CHANGELOG.md of example/app");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"1.2.0"}), boost::test_tools::per_element());
  BOOST_TEST(o.risk.risk == Risk::caution);
  BOOST_TEST(o.risk.evidence.front().line == "- BREAKING: config key `foo` renamed to `bar`");
}

BOOST_AUTO_TEST_CASE(no_releases_and_no_changelog_md) {
  start(only(sim::Repo{"acme/silent", 0, {}, std::nullopt}));
  auto o = plan("ghcr.io/acme/silent:1.0.0", "1.0.1");
  BOOST_TEST(o.repo.repo.value_or("") == "acme/silent");
  BOOST_TEST(o.log.missing_reason == "acme/silent publishes no GitHub releases, and no CHANGELOG.md (404)");
  BOOST_TEST(o.risk.risk == Risk::unknown);
  expect_nothing_invented(o);
}

BOOST_AUTO_TEST_CASE(target_without_a_release_is_a_stated_gap) {
  start(sim::default_scenario());
  auto o = plan("vaultwarden/server:1.35.4", "1.35.9");
  BOOST_TEST(tags_of(o) == (std::vector<std::string>{"1.35.6", "1.35.7"}), boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(o.log.gaps.size(), 1U);
  BOOST_TEST(o.log.gaps[0] == "no release of dani-garcia/vaultwarden for the target 1.35.9");
  BOOST_TEST(o.risk.stops.back().release.empty());
}

BOOST_AUTO_TEST_CASE(token_is_sent_as_bearer_and_never_shown) {
  auto scenario = sim::default_scenario();
  scenario.required_token = "ghp_SECRET";
  start(scenario);
  token = "ghp_SECRET";
  auto ok = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(ok.repo.repo.has_value());
  BOOST_TEST(simulator->log().front().authorization.value_or("") == "Bearer ghp_SECRET");
  token = "ghp_WRONG";
  auto bad = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(!bad.repo.repo);
  BOOST_TEST(bad.repo.reason.find("401 (Bad credentials)") != std::string::npos, bad.repo.reason);
  BOOST_TEST(bad.repo.reason.find("ghp_") == std::string::npos);
  token.clear();
  simulator->scenario().required_token.reset();
  auto anonymous = plan("docker.io/coturn/coturn:4.6.3", "4.10.0");
  BOOST_TEST(!simulator->log().back().authorization.has_value());
}

BOOST_AUTO_TEST_CASE(a_cancelled_lookup_is_cancelled_not_a_reason) {
  auto scenario = sim::default_scenario();
  scenario.faults.delay = 3s;
  start(scenario);
  ua::net::Client http(io.get_executor(), client_options);
  gh::Options options;
  options.api_url = simulator->url();
  gh::Client github(http, options);
  const auto image = ua::core::parse_image_ref("docker.io/coturn/coturn").value();
  const auto begun = std::chrono::steady_clock::now();
  auto resolved = ua::test::run_and_cancel(io, github.resolve_repo(image, std::nullopt, begun + 20s), 100ms);
  BOOST_REQUIRE(!resolved);
  BOOST_TEST(resolved.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(resolved.error().system == "github");
  auto log = ua::test::run_and_cancel(io,
                                      github.changelog("coturn/coturn", ua::core::parse_tag("4.6.3").value(),
                                                       ua::core::parse_tag("4.10.0").value(), begun + 20s),
                                      100ms);
  BOOST_REQUIRE(!log);
  BOOST_TEST(log.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(seconds_since(begun) < 2.0);  // neither waited for the slow server
}

BOOST_AUTO_TEST_CASE(a_rate_limit_wait_that_is_cancelled_is_cancelled) {
  auto scenario = sim::default_scenario();
  scenario.faults.rate_limited = 1;
  scenario.faults.reset_in = 5s;
  start(scenario);
  ua::net::Client http(io.get_executor(), client_options);
  gh::Options options;
  options.api_url = simulator->url();
  gh::Client github(http, options);
  const auto image = ua::core::parse_image_ref("docker.io/coturn/coturn").value();
  const auto begun = std::chrono::steady_clock::now();
  auto resolved = ua::test::run_and_cancel(io, github.resolve_repo(image, std::nullopt, begun + 30s), 300ms);
  BOOST_REQUIRE(!resolved);
  BOOST_TEST(resolved.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(seconds_since(begun) < 2.0);
}

BOOST_AUTO_TEST_SUITE_END()
