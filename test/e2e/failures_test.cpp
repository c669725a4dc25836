// Upgrades that go wrong, end to end: each is rolled back (or aborted, or
// CRITICAL) with the remote's commits and the Slack messages to show for it.
#include "e2e/world.hpp"

namespace ua::test {
namespace {

constexpr const char* kVaultwarden = "vaultwarden/server:1.35.5";
constexpr const char* kUpgrade = "upgrade: vaultwarden 1.35.4 -> 1.35.5";
constexpr const char* kRevert = "Revert \"upgrade: vaultwarden 1.35.4 -> 1.35.5\"";

// The upgrade was pushed, reverted, and the revert verified; the old tag runs.
void expect_rolled_back(World& world, const saga::Result& r, std::string_view reason_part) {
  BOOST_TEST(saga::to_string(r.outcome) == "rolled back");
  BOOST_TEST(contains(r.reason, reason_part), r.reason);
  BOOST_TEST(r.live == "1.35.4");
  const auto subjects = world.agent_subjects();
  BOOST_REQUIRE_EQUAL(subjects.size(), 2U);
  BOOST_TEST(subjects[0] == kUpgrade);
  BOOST_TEST(subjects[1] == kRevert);
  const auto commits = world.new_commits();
  const auto revert = std::find_if(commits.begin(), commits.end(),
                                   [](const sandbox::RemoteCommit& c) { return c.subject == kRevert; });
  BOOST_REQUIRE(revert != commits.end());
  BOOST_TEST(revert->sha == r.rollback_commit);
  BOOST_TEST(contains(revert->body, "This reverts commit " + r.stops.front().commit));
  BOOST_TEST(world.sandbox().deployed().at("vaultwarden/vaultwarden").front() == "vaultwarden/server:1.35.4");
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 2U);
  BOOST_TEST(starts_with(slack[1], "[Upgrade Agent] FAILED + ROLLED BACK: *vaultwarden* 1.35.4 -&gt; 1.35.5"));
  BOOST_TEST(contains(slack[1], "Rollback commit: " + r.rollback_commit));
  BOOST_TEST(contains(slack[1], "Live version: 1.35.4"));
}

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(a_failed_backup_aborts_before_any_commit) {
  World world("backup-failed");
  const auto r = world.run_one("docker.n8n.io/n8nio/n8n:1.81.0");
  BOOST_TEST(saga::to_string(r.outcome) == "aborted");
  BOOST_TEST(contains(r.reason, "backup"), r.reason);
  BOOST_TEST(world.new_commits().empty());
  BOOST_TEST(world.sandbox().pipelines().empty());
  const auto jobs = world.sandbox().backup_jobs();
  BOOST_REQUIRE_EQUAL(jobs.size(), 1U);
  BOOST_TEST(starts_with(jobs[0], "dbaas/pre-upgrade-n8n-"));  // the shared PostgreSQL's CronJob
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 2U);
  BOOST_TEST(starts_with(slack[1], "[Upgrade Agent] ABORTED: *n8n*"));
  BOOST_TEST(contains(slack[1], "too many connections"));  // the Job's log tail, for the person reading it
}

BOOST_AUTO_TEST_CASE(a_backup_that_never_finishes_aborts_at_the_backup_timeout) {
  World world("backup-never");
  world.set("UPGRADE_AGENT_BACKUP_TIMEOUT", "1s");
  const auto run = world.run({job("docker.n8n.io/n8nio/n8n:1.81.0")});
  const auto& r = run.results.front();
  BOOST_TEST(saga::to_string(r.outcome) == "aborted");
  BOOST_TEST(contains(r.reason, "backup"), r.reason);
  BOOST_TEST(world.new_commits().empty());
  BOOST_TEST(world.sandbox().backup_jobs().size() == 1U);
  BOOST_TEST(run.elapsed < std::chrono::seconds(10), run.elapsed.count() << " ms");
  BOOST_TEST(starts_with(world.slack().back(), "[Upgrade Agent] ABORTED: *n8n*"));
}

BOOST_AUTO_TEST_CASE(slow_ci_is_waited_for) {
  World world("ci-slow");
  const auto r = world.run_one(kVaultwarden);
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded", r.reason);
  const auto pipelines = world.sandbox().pipelines();
  BOOST_REQUIRE_EQUAL(pipelines.size(), 1U);
  BOOST_TEST(pipelines[0].finished);
}

BOOST_AUTO_TEST_CASE(a_ci_failure_rolls_back) {
  World world("ci-failure");
  const auto r = world.run_one(kVaultwarden);
  expect_rolled_back(world, r, "CI workflow default");
  BOOST_TEST(world.sandbox().pipelines().size() == 2U);  // the upgrade's (failed), the revert's (passed)
}

BOOST_AUTO_TEST_CASE(ci_that_never_finishes_rolls_back_and_reports_before_the_ceiling) {
  World world("ci-never");
  world.set("UPGRADE_AGENT_CI_TIMEOUT", "2s");
  world.set("UPGRADE_AGENT_CEILING", "20s");
  const auto run = world.run({job(kVaultwarden)});
  expect_rolled_back(world, run.results.front(), "CI");
  BOOST_TEST(run.elapsed < std::chrono::seconds(20), run.elapsed.count() << " ms");
}

BOOST_AUTO_TEST_CASE(when_nothing_ever_finishes_the_final_report_still_comes_before_the_ceiling) {
  auto scenario = World::named("ci-never");
  scenario.ci_troubled = 0;  // the revert's pipeline never finishes either
  World world(scenario);
  world.set("UPGRADE_AGENT_CI_TIMEOUT", "6s");  // with the 1 s window, just inside the ceiling
  world.set("UPGRADE_AGENT_CEILING", "8s");
  const auto run = world.run({job(kVaultwarden)});
  const auto& r = run.results.front();
  BOOST_TEST((r.outcome == saga::Outcome::critical), r.reason);
  BOOST_TEST(run.elapsed < std::chrono::seconds(8), run.elapsed.count() << " ms");
  const auto slack = world.slack();
  BOOST_REQUIRE(!slack.empty());
  BOOST_TEST(starts_with(slack.back(), "[Upgrade Agent] CRITICAL: Rollback of *vaultwarden* also failed. Manual "
                                       "intervention required.\n"),
             slack.back());
  BOOST_TEST(world.agent_subjects().size() == 2U);  // the upgrade and its revert were both pushed
}

BOOST_AUTO_TEST_CASE(a_crash_loop_rolls_back) {
  World world("crash-loop");
  expect_rolled_back(world, world.run_one(kVaultwarden), "CrashLoopBackOff");
}

BOOST_AUTO_TEST_CASE(an_image_that_cannot_be_pulled_rolls_back) {
  World world("image-pull");
  const auto r = world.run_one(kVaultwarden);
  BOOST_TEST((contains(r.reason, "ImagePullBackOff") || contains(r.reason, "ErrImagePull")), r.reason);
  expect_rolled_back(world, r, "pods");
}

BOOST_AUTO_TEST_CASE(an_ingress_answering_502_rolls_back) {
  World world("http-502");
  const auto r = world.run_one(kVaultwarden);
  expect_rolled_back(world, r, "vaultwarden.sandbox.test");
  BOOST_TEST(contains(r.reason, "502"), r.reason);
}

BOOST_AUTO_TEST_CASE(a_monitor_going_down_rolls_back) {
  World world("kuma-down");
  const auto r = world.run_one(kVaultwarden);
  expect_rolled_back(world, r, "Uptime Kuma");
  BOOST_TEST(contains(r.reason, "down"), r.reason);
}

BOOST_AUTO_TEST_CASE(pods_still_on_the_old_tag_when_the_window_ends_roll_back) {
  World world("not-rolled");
  const auto r = world.run_one(kVaultwarden);
  expect_rolled_back(world, r, "pending when the window ended");
  BOOST_TEST(contains(r.reason, "1.35.4"), r.reason);
}

BOOST_AUTO_TEST_CASE(a_rollback_whose_ci_fails_is_critical) {
  World world("ci-always-fails");
  const auto r = world.run_one(kVaultwarden);
  BOOST_TEST((r.outcome == saga::Outcome::critical), r.reason);
  BOOST_TEST(world.agent_subjects() == (std::vector<std::string>{kUpgrade, kRevert}), boost::test_tools::per_element());
  const auto last = world.slack().back();
  BOOST_TEST(starts_with(last, "[Upgrade Agent] CRITICAL: Rollback of *vaultwarden* also failed. Manual intervention "
                               "required.\n"),
             last);
  BOOST_TEST(contains(last, "Reason: CI workflow default of pipeline"), last);
}

BOOST_AUTO_TEST_CASE(slack_answering_404_leaves_the_upgrade_done_and_says_so) {
  World world("slack-404");
  const auto r = world.run_one(kVaultwarden);
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded");
  BOOST_TEST(world.agent_subjects() == (std::vector<std::string>{kUpgrade}), boost::test_tools::per_element());
  BOOST_TEST(world.slack().empty());
  BOOST_REQUIRE_EQUAL(r.report_failures.size(), 2U);  // Starting and SUCCESS, each named
  BOOST_TEST(contains(r.report_failures[0].describe(), "404"), r.report_failures[0].describe());
  BOOST_TEST(contains(r.report_failures[0].describe(), "no_service"));
  BOOST_TEST(!contains(r.report_failures[0].describe(), "/services/"));  // the webhook URL is a secret
}

BOOST_AUTO_TEST_CASE(slack_rate_limiting_is_waited_out) {
  World world("slack-429");
  const auto r = world.run_one(kVaultwarden);
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded");
  BOOST_TEST(r.report_failures.empty());
  BOOST_TEST(world.slack().size() == 2U);  // the rate-limited Starting was sent again
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
