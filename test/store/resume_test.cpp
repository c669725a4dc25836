// Where a saga resumes, from its checkpoints (issue 12's five points).
#include <boost/test/unit_test.hpp>

#include "store/helpers.hpp"

namespace ua::test {
namespace {

using saga::EventKind;
using saga::Step;
using store::ResumePoint;

store::Checkpoint cp(Step step, EventKind kind, std::string sha = {}, std::string detail = {}) {
  static std::int64_t seq = 0;
  store::Checkpoint c;
  c.seq = ++seq;
  c.step = step;
  c.kind = kind;
  c.sha = std::move(sha);
  c.detail = std::move(detail);
  return c;
}

// The saga's events up to and including the push of the upgrade.
std::vector<store::Checkpoint> through_push() {
  return {cp(Step::locate, EventKind::started),
          cp(Step::locate, EventKind::finished),
          cp(Step::decide, EventKind::finished),
          cp(Step::report_starting, EventKind::report_sent),
          cp(Step::backup, EventKind::finished),
          cp(Step::publish, EventKind::started),
          cp(Step::publish, EventKind::about_to_push, "", "upgrade: redis 7.4.0 -> 7.4.1"),
          cp(Step::publish, EventKind::pushed, "aaa111", "upgrade: redis 7.4.0 -> 7.4.1")};
}

BOOST_AUTO_TEST_SUITE(resume)

BOOST_AUTO_TEST_CASE(before_the_push_a_saga_starts_over) {
  BOOST_TEST(store::resume_point({}).point == ResumePoint::not_yet_pushed);
  BOOST_TEST(store::resume_point({}).last_seq == 0);
  auto events = through_push();
  events.resize(6);  // up to "publish started"
  const auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::not_yet_pushed);
  BOOST_TEST(r.last_seq == events.back().seq);
}

BOOST_AUTO_TEST_CASE(about_to_push_names_the_commit_to_look_for) {
  auto events = through_push();
  events.pop_back();
  const auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::about_to_push);
  BOOST_TEST((r.step == Step::publish));
  BOOST_TEST(r.subject == "upgrade: redis 7.4.0 -> 7.4.1");
}

BOOST_AUTO_TEST_CASE(pushed_carries_the_sha_through_ci_and_verification) {
  auto events = through_push();
  BOOST_TEST(store::resume_point(events).point == ResumePoint::pushed);
  events.push_back(cp(Step::wait_for_ci, EventKind::started));
  events.push_back(cp(Step::wait_for_ci, EventKind::progress));
  events.push_back(cp(Step::wait_for_ci, EventKind::finished));
  events.push_back(cp(Step::verify, EventKind::failed));
  const auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::pushed);
  BOOST_TEST(r.upgrade_sha == "aaa111");
}

BOOST_AUTO_TEST_CASE(the_revert_moves_through_about_to_push_unverified_and_report) {
  auto events = through_push();
  events.push_back(cp(Step::verify, EventKind::failed));
  events.push_back(cp(Step::roll_back, EventKind::started));
  events.push_back(cp(Step::roll_back, EventKind::about_to_push, "aaa111", "revert of upgrade: redis"));
  auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::about_to_push);
  BOOST_TEST((r.step == Step::roll_back));
  BOOST_TEST(r.upgrade_sha == "aaa111");
  events.push_back(cp(Step::roll_back, EventKind::pushed, "bbb222"));
  r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::rolled_back_unverified);
  BOOST_TEST(r.revert_sha == "bbb222");
  BOOST_TEST(r.upgrade_sha == "aaa111");
  events.push_back(cp(Step::roll_back, EventKind::started));  // its CI wait
  BOOST_TEST(store::resume_point(events).point == ResumePoint::rolled_back_unverified);
  events.push_back(cp(Step::roll_back, EventKind::finished));
  BOOST_TEST(store::resume_point(events).point == ResumePoint::report_not_sent);
  events.push_back(cp(Step::report, EventKind::report_failed));
  BOOST_TEST(store::resume_point(events).point == ResumePoint::report_not_sent);
  events.push_back(cp(Step::report, EventKind::report_sent));
  BOOST_TEST(store::resume_point(events).point == ResumePoint::report_sent);
}

BOOST_AUTO_TEST_CASE(a_failed_rollback_leaves_the_critical_report) {
  auto events = through_push();
  events.push_back(cp(Step::roll_back, EventKind::about_to_push, "aaa111"));
  events.push_back(cp(Step::roll_back, EventKind::failed));
  BOOST_TEST(store::resume_point(events).point == ResumePoint::report_not_sent);
}

BOOST_AUTO_TEST_CASE(a_push_that_failed_leaves_only_the_report) {
  auto events = through_push();
  events.pop_back();
  events.push_back(cp(Step::publish, EventKind::failed));
  BOOST_TEST(store::resume_point(events).point == ResumePoint::report_not_sent);
}

BOOST_AUTO_TEST_CASE(a_second_stop_starts_from_its_own_push) {
  auto events = through_push();
  events.push_back(cp(Step::verify, EventKind::finished));
  events.push_back(cp(Step::report_starting, EventKind::report_sent));
  events.push_back(cp(Step::publish, EventKind::about_to_push, "", "upgrade: redis 7.4.1 -> 8.0.0"));
  auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::about_to_push);
  BOOST_TEST(r.subject == "upgrade: redis 7.4.1 -> 8.0.0");
  BOOST_TEST(r.upgrade_sha == "aaa111");  // the first stop's, live and verified
  events.push_back(cp(Step::publish, EventKind::pushed, "ccc333"));
  BOOST_TEST(store::resume_point(events).upgrade_sha == "ccc333");
}

BOOST_FIXTURE_TEST_CASE(unfinished_lists_running_sagas_with_their_points, JournalFixture) {
  const auto a = journal.admit(request("docker.io/library/redis", "7.4.1"), t0());
  const auto b = journal.admit(request("docker.io/library/nginx", "1.27.3"), t0());
  (void)journal.admit(request("docker.io/library/httpd", "2.4.62"), t0());  // queued: not a saga yet
  BOOST_REQUIRE(journal.begin(a->id, {5, std::chrono::hours(6)}, t0())->started);
  BOOST_REQUIRE(journal.begin(b->id, {5, std::chrono::hours(6)}, t0())->started);
  BOOST_REQUIRE(journal.append(a->id, through_push()).has_value());
  auto list = journal.unfinished();
  BOOST_REQUIRE(list->size() == 2U);
  BOOST_TEST(list->at(0).request.id == a->id);
  BOOST_TEST(list->at(0).resume.point == ResumePoint::pushed);
  BOOST_TEST(list->at(0).resume.upgrade_sha == "aaa111");
  BOOST_TEST(list->at(0).resume.last_seq == 8);  // the journal numbers them itself
  BOOST_TEST(list->at(1).resume.point == ResumePoint::not_yet_pushed);
}

BOOST_AUTO_TEST_CASE(the_final_report_is_kept_with_its_outcome_until_it_is_sent) {
  auto events = through_push();
  events.push_back(cp(Step::wait_for_ci, EventKind::finished));
  events.push_back(cp(Step::verify, EventKind::finished));
  auto announce = cp(Step::report, EventKind::about_to_report, "", "[Upgrade Agent] SUCCESS: *redis* ...");
  announce.outcome = "upgraded";
  events.push_back(announce);
  auto r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::report_not_sent);
  BOOST_TEST(r.report_text == "[Upgrade Agent] SUCCESS: *redis* ...");
  BOOST_TEST(r.outcome == "upgraded");
  const auto job = store::saga_resume(r);
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == saga::Resume::Point::report));
  BOOST_TEST(job->report_text == r.report_text);
  BOOST_TEST((job->outcome == saga::Outcome::upgraded));

  events.push_back(cp(Step::report, EventKind::report_sent));
  r = store::resume_point(events);
  BOOST_TEST(r.point == ResumePoint::report_sent);
  BOOST_TEST(r.outcome == "upgraded");      // what the daemon records without running anything
  BOOST_TEST(!store::saga_resume(r).has_value());
}

BOOST_AUTO_TEST_CASE(each_point_maps_to_where_the_saga_goes_on) {
  using Point = saga::Resume::Point;
  auto events = through_push();
  events.pop_back();  // about to push the upgrade
  auto job = store::saga_resume(store::resume_point(events));
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == Point::about_to_push));
  BOOST_TEST(job->upgrade_subject == "upgrade: redis 7.4.0 -> 7.4.1");

  events = through_push();
  job = store::saga_resume(store::resume_point(events));
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == Point::pushed));
  BOOST_TEST(job->upgrade_sha == "aaa111");
  BOOST_TEST(job->upgrade_subject == "upgrade: redis 7.4.0 -> 7.4.1");

  auto failed = cp(Step::verify, EventKind::failed);
  failed.error = "pods in CrashLoopBackOff";
  events.push_back(failed);
  events.push_back(cp(Step::roll_back, EventKind::about_to_push, "aaa111", "revert of upgrade: redis 7.4.0 -> 7.4.1"));
  job = store::saga_resume(store::resume_point(events));
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == Point::reverting));
  BOOST_TEST(job->upgrade_sha == "aaa111");
  BOOST_TEST(job->failure == "pods in CrashLoopBackOff");

  events.push_back(cp(Step::roll_back, EventKind::pushed, "bbb222"));
  job = store::saga_resume(store::resume_point(events));
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == Point::reverted));
  BOOST_TEST(job->revert_sha == "bbb222");

  // Verified, but the report's text never reached the journal: confirm again.
  events.push_back(cp(Step::roll_back, EventKind::finished));
  job = store::saga_resume(store::resume_point(events));
  BOOST_REQUIRE(job);
  BOOST_TEST((job->point == Point::reverted));

  BOOST_TEST(!store::saga_resume(store::resume_point({})).has_value());  // nothing happened: start over
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
