// Upgrades that end well, end to end: the sandbox's remote, CI, cluster and
// Slack say what happened, not only the saga's outcome.
#include <fstream>
#include <iterator>

#include "e2e/world.hpp"

namespace ua::test {
namespace {

BOOST_AUTO_TEST_SUITE(upgrades)

BOOST_AUTO_TEST_CASE(a_safe_upgrade_is_committed_applied_verified_and_reported) {
  World world("healthy");
  const auto r = world.run_one("vaultwarden/server:1.35.5");
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded");
  BOOST_TEST(r.risk == "SAFE");
  BOOST_TEST(r.live == "1.35.5");

  // The remote: the upgrade commit, then CI's state commit on top of it.
  const auto commits = world.new_commits();
  BOOST_REQUIRE_EQUAL(commits.size(), 2U);
  BOOST_TEST(commits[0].subject == "upgrade: vaultwarden 1.35.4 -> 1.35.5");
  BOOST_TEST(contains(commits[0].author, "Service Upgrade Agent"));
  for (const char* line : {"Changelog summary:", "Risk: SAFE", "DB backup:", "Co-Authored-By: Service Upgrade Agent"}) {
    BOOST_TEST(contains(commits[0].body, line), line);
  }
  BOOST_TEST(contains(commits[0].body, "Bug fixes"), commits[0].body);  // the summary comes from the release notes
  BOOST_TEST(starts_with(commits[1].subject, "[CI SKIP] state:"));
  BOOST_REQUIRE_EQUAL(r.stops.size(), 1U);
  BOOST_TEST(r.stops[0].commit == commits[0].sha);

  // CI ran exactly one pipeline (the state commit skips CI) and the pods run the new tag.
  const auto pipelines = world.sandbox().pipelines();
  BOOST_REQUIRE_EQUAL(pipelines.size(), 1U);
  BOOST_TEST(pipelines[0].commit == commits[0].sha);
  const auto deployed = world.sandbox().deployed();
  BOOST_REQUIRE(deployed.count("vaultwarden/vaultwarden") == 1U);
  BOOST_TEST(deployed.at("vaultwarden/vaultwarden").front() == "vaultwarden/server:1.35.5");

  // Slack: Starting, then SUCCESS with the commit.
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 2U);
  BOOST_TEST(slack[0] == "[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -&gt; 1.35.5 (risk: SAFE)");
  BOOST_TEST(starts_with(slack[1], "[Upgrade Agent] SUCCESS: *vaultwarden* upgraded 1.35.4 -&gt; 1.35.5"));
  BOOST_TEST(contains(slack[1], commits[0].sha));
  // No backup for a service without a database.
  BOOST_TEST(world.sandbox().backup_jobs().empty());
}

BOOST_AUTO_TEST_CASE(an_image_without_a_repository_is_unknown_and_upgraded_with_the_note_in_the_commit) {
  World world("healthy");
  const auto r = world.run_one("ghcr.io/example/web:2.5.0");
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded");
  BOOST_TEST(r.risk == "UNKNOWN");
  const auto subjects = world.agent_subjects();
  BOOST_REQUIRE_EQUAL(subjects.size(), 1U);
  BOOST_TEST(subjects[0] == "upgrade: web 2.4.1 -> 2.5.0");
  const auto commit = world.new_commits().front();
  BOOST_TEST(contains(commit.body, "Risk: UNKNOWN"));
  BOOST_TEST(contains(commit.body, "Changelog summary: unavailable (no changelog found)"), commit.body);
  BOOST_TEST(starts_with(world.slack().back(), "[Upgrade Agent] SUCCESS: *web*"));
}

BOOST_AUTO_TEST_CASE(caution_takes_each_stop_with_a_backup_first) {
  World world("healthy");
  const auto r = world.run_one("ghcr.io/immich-app/immich-server:v2.8.0");
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded");
  BOOST_TEST(r.risk == "CAUTION");
  BOOST_REQUIRE_EQUAL(r.stops.size(), 2U);
  BOOST_TEST(r.stops[0].to == "v2.7.5");
  BOOST_TEST(r.stops[1].to == "v2.8.0");
  BOOST_TEST(r.stops[0].verified);
  BOOST_TEST(r.stops[1].verified);
  const auto subjects = world.agent_subjects();
  BOOST_REQUIRE_EQUAL(subjects.size(), 2U);
  BOOST_TEST(subjects[0] == "upgrade: immich v2.7.4 -> v2.7.5");
  BOOST_TEST(subjects[1] == "upgrade: immich v2.7.5 -> v2.8.0");
  // v2.8.0's notes rename a setting the stack sets: the second commit renames
  // it with the version and says so; the first one has nothing to rename.
  std::vector<std::string> bodies;
  for (const auto& c : world.new_commits()) {
    if (c.subject.find("[CI SKIP]") == std::string::npos) bodies.push_back(c.body);
  }
  BOOST_REQUIRE_EQUAL(bodies.size(), 2U);
  BOOST_TEST(contains(bodies[0], "Config changes applied: none\n"), bodies[0]);
  BOOST_TEST(contains(bodies[1], "Config changes applied: IMMICH_MACHINE_LEARNING_URL -> IMMICH_ML_URL (v2.8.0)\n"),
             bodies[1]);
  std::ifstream config(world.clone() / "stacks/immich/config.tf");
  const std::string settings((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  BOOST_TEST(contains(settings, "IMMICH_ML_URL = \"http://immich-machine-learning:3003\""), settings);
  BOOST_TEST(!contains(settings, "IMMICH_MACHINE_LEARNING_URL"));
  // The dedicated database's own CronJob, once, before the first commit.
  const auto jobs = world.sandbox().backup_jobs();
  BOOST_REQUIRE_EQUAL(jobs.size(), 1U);
  BOOST_TEST(starts_with(jobs[0], "immich/pre-upgrade-immich-"));
  // Both images of the shared variable moved, the suffix kept.
  const auto deployed = world.sandbox().deployed().at("immich/immich");
  BOOST_TEST((std::find(deployed.begin(), deployed.end(), "ghcr.io/immich-app/immich-server:v2.8.0") != deployed.end()));
  BOOST_TEST((std::find(deployed.begin(), deployed.end(), "ghcr.io/immich-app/immich-machine-learning:v2.8.0-cuda") !=
              deployed.end()));
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 3U);  // a Starting per stop, one SUCCESS
  BOOST_TEST(starts_with(slack[0], "[Upgrade Agent] Starting: *immich* v2.7.4 -&gt; v2.7.5 (risk: CAUTION)"));
  BOOST_TEST(contains(slack[0], "Database migration"));
  BOOST_TEST(starts_with(slack[1], "[Upgrade Agent] Starting: *immich* v2.7.5 -&gt; v2.8.0 (risk: CAUTION)"));
  BOOST_TEST(starts_with(slack[2], "[Upgrade Agent] SUCCESS: *immich*"));
}

BOOST_AUTO_TEST_CASE(immich_server_and_machine_learning_give_one_upgrade_and_one_already_at_target) {
  World world("healthy");
  auto run = world.run({job("ghcr.io/immich-app/immich-server:v2.7.5", "server"),
                        job("ghcr.io/immich-app/immich-machine-learning:v2.7.5-cuda", "ml")},
                       true);
  std::vector<std::string> outcomes;
  for (const auto& r : run.results) outcomes.emplace_back(saga::to_string(r.outcome));
  std::sort(outcomes.begin(), outcomes.end());
  BOOST_TEST(outcomes == (std::vector<std::string>{"already at target", "upgraded"}), boost::test_tools::per_element());
  const auto subjects = world.agent_subjects();
  BOOST_REQUIRE_EQUAL(subjects.size(), 1U);
  BOOST_TEST(subjects[0] == "upgrade: immich v2.7.4 -> v2.7.5");
  // The two sagas for one stack never overlapped: one Starting, one SUCCESS.
  BOOST_TEST(world.slack().size() == 2U);
}

BOOST_AUTO_TEST_CASE(twenty_sagas_on_twenty_stacks_at_once_on_one_thread_all_succeed) {
  World world("healthy", 20);
  std::vector<saga::Job> jobs;
  for (const auto& svc : world.sandbox().services()) {
    if (svc.image.rfind("ghcr.io/example-org/svc-", 0) == 0) jobs.push_back(job(svc.image + ":" + svc.next));
  }
  BOOST_REQUIRE_EQUAL(jobs.size(), 20U);
  // Each round of checks is four requests per saga over fresh TLS
  // connections: poll at a pace two cores running a debug build keep up with.
  world.set("UPGRADE_AGENT_CHECK_INTERVAL", "500ms");
  world.set("UPGRADE_AGENT_CI_POLL_INTERVAL", "300ms");
  world.set("UPGRADE_AGENT_VERIFY_WINDOW_SAFE", "2s");
  const auto run = world.run(jobs, true);
  std::size_t upgraded = 0;
  for (const auto& r : run.results) {
    upgraded += r.outcome == saga::Outcome::upgraded ? 1U : 0U;
    BOOST_TEST(saga::to_string(r.outcome) == "upgraded", r.stack << ": " << r.reason);
  }
  BOOST_TEST(upgraded == 20U);
  BOOST_TEST(world.agent_subjects().size() == 20U);
  BOOST_TEST(world.sandbox().pipelines().size() == 20U);
  // Waits overlapped: twenty sequential sagas would take twenty windows.
  BOOST_TEST(run.elapsed < std::chrono::seconds(20), run.elapsed.count() << " ms");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
