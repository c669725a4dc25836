// A saga resumed from where a dead process left it (saga::Job::resume): never
// a second upgrade commit, never a pushed upgrade left unverified, and the
// final report posted.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>

#include "saga/world.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kSubject = "upgrade: vaultwarden 1.35.4 -> 1.35.5";

// The first process: pushes the upgrade, then dies during the CI wait (a
// terminal cancellation ends the saga where it stands, as a kill would).
std::string push_then_die(World& w) {
  w.ci.next.never = true;
  asio::cancellation_signal signal;
  saga::Context ctx{w.config, config::StepMode::stops, w.timing};
  std::optional<saga::Result> result;
  auto body = [&]() -> asio::awaitable<void> {
    result = co_await saga::run_upgrade(w.ports(), ctx, World::job("vaultwarden/server", "1.35.5"), w.observer);
  };
  asio::co_spawn(w.io, body(), asio::bind_cancellation_slot(signal.slot(), asio::detached));
  asio::steady_timer t(w.io, 300ms);
  t.async_wait([&](auto) { signal.emit(asio::cancellation_type::terminal); });
  w.io.run();
  w.io.restart();
  BOOST_REQUIRE(result);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  BOOST_REQUIRE(w.git.commits[0].message.rfind(kSubject + "\n", 0) == 0);
  w.ci.next.never = false;
  w.notifier.posted.clear();
  w.observer.events.clear();
  return w.git.commits[0].sha;
}

saga::Job resumed(saga::Resume::Point point, std::string sha = {}) {
  auto job = World::job("vaultwarden/server", "1.35.5", "job-2");
  saga::Resume r;
  r.point = point;
  r.upgrade_subject = kSubject;
  r.upgrade_sha = std::move(sha);
  job.resume = r;
  return job;
}

BOOST_AUTO_TEST_SUITE(resume)

BOOST_AUTO_TEST_CASE(pushed_waits_for_ci_verifies_and_reports_without_a_second_commit) {
  World w;
  const auto sha = push_then_die(w);
  const auto r = w.run(resumed(saga::Resume::Point::pushed, sha));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_TEST(w.git.commits.size() == 1U);
  BOOST_TEST(w.cluster.running_tag == "1.35.5");
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 1U);  // no second Starting
  BOOST_TEST(w.notifier.posted[0].rfind("[Upgrade Agent] SUCCESS: *vaultwarden* upgraded 1.35.4 -> 1.35.5\n", 0) == 0);
  BOOST_TEST(contains(w.notifier.posted[0], "Commit: " + sha));
}

BOOST_AUTO_TEST_CASE(about_to_push_finds_the_commit_that_landed_and_goes_on_from_it) {
  World w;
  const auto sha = push_then_die(w);
  const auto r = w.run(resumed(saga::Resume::Point::about_to_push));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_TEST(w.git.commits.size() == 1U);
  BOOST_REQUIRE(!r.stops.empty());
  BOOST_TEST(r.stops.back().commit == sha);
}

BOOST_AUTO_TEST_CASE(about_to_push_with_nothing_on_the_remote_starts_over) {
  World w;
  const auto r = w.run(resumed(saga::Resume::Point::about_to_push));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_TEST(w.git.commits.size() == 1U);
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);  // Starting and SUCCESS: a fresh saga
}

BOOST_AUTO_TEST_CASE(a_pushed_upgrade_that_fails_after_the_restart_is_reverted) {
  World w;
  const auto sha = push_then_die(w);
  w.cluster.health_by_tag["1.35.5"] = FakeCluster::Health::crash_loop;
  const auto r = w.run(resumed(saga::Resume::Point::pushed, sha));
  BOOST_TEST(to_string(r.outcome) == "rolled back", r.reason);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.git.commits[1].reverts.value_or("") == sha);
  BOOST_TEST(w.cluster.running_tag == "1.35.4");
}

BOOST_AUTO_TEST_CASE(reverting_pushes_the_revert_once_and_confirms_it) {
  World w;
  const auto sha = push_then_die(w);
  auto job = resumed(saga::Resume::Point::reverting, sha);
  job.resume->failure = "verification failed: pods in CrashLoopBackOff";
  const auto r = w.run(job);
  BOOST_TEST(to_string(r.outcome) == "rolled back", r.reason);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.git.commits[1].reverts.value_or("") == sha);
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 1U);
  BOOST_TEST(contains(w.notifier.posted[0], "FAILED + ROLLED BACK"));
  BOOST_TEST(contains(w.notifier.posted[0], "CrashLoopBackOff"));

  // The same point again, the revert now on the remote: nothing more is pushed.
  w.notifier.posted.clear();
  const auto again = w.run(job);
  BOOST_TEST(to_string(again.outcome) == "rolled back", again.reason);
  BOOST_TEST(w.git.commits.size() == 2U);
  BOOST_TEST(again.rollback_commit == w.git.commits[1].sha);
}

BOOST_AUTO_TEST_CASE(report_posts_exactly_the_recorded_text_and_touches_nothing_else) {
  World w;
  auto job = World::job("vaultwarden/server", "1.35.5", "job-3");
  saga::Resume r;
  r.point = saga::Resume::Point::report;
  r.report_text = "[Upgrade Agent] SUCCESS: *vaultwarden* upgraded 1.35.4 -> 1.35.5\nCommit: abc";
  r.outcome = saga::Outcome::upgraded;
  job.resume = r;
  const auto result = w.run(job);
  BOOST_TEST(to_string(result.outcome) == "upgraded");
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 1U);
  BOOST_TEST(w.notifier.posted[0] == r.report_text);
  BOOST_TEST(w.git.inspections == 0U);
  BOOST_TEST(w.git.commits.empty());
}

BOOST_AUTO_TEST_CASE(the_final_report_is_announced_with_its_text_and_outcome) {
  World w;
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  const auto it = std::find_if(w.observer.events.begin(), w.observer.events.end(),
                               [](const saga::Event& e) { return e.kind == saga::EventKind::about_to_report; });
  BOOST_REQUIRE(it != w.observer.events.end());
  BOOST_TEST(it->detail == w.notifier.posted.back());
  BOOST_TEST(it->outcome == "upgraded");
  BOOST_TEST((saga::outcome_named(it->outcome) == std::optional<saga::Outcome>(saga::Outcome::upgraded)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
