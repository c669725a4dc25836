// Holds (exact image:tag, a newer tag is free, release) and the rate-limit
// window with times chosen by the test.
#include <boost/test/unit_test.hpp>

#include "store/helpers.hpp"

namespace ua::test {
namespace {

using store::Admission;
using namespace std::chrono_literals;

store::Hold rolled_back(std::string image, std::string tag, store::TimePoint at) {
  return store::Hold{
      {std::move(image), std::move(tag)}, at, "verification failed: pods in CrashLoopBackOff", 7};
}

BOOST_AUTO_TEST_SUITE(holds)

BOOST_FIXTURE_TEST_CASE(a_held_target_refuses_exactly_that_image_and_tag, JournalFixture) {
  // Request 7 exists so that the hold's reference to it is valid.
  for (int i = 0; i < 7; ++i)
    (void)journal.record_refused(request("docker.io/x/y", std::to_string(i)), "refused", "", t0());
  BOOST_REQUIRE(journal.hold(rolled_back("docker.io/vaultwarden/server", "1.36.0", t0())).has_value());

  auto held = journal.admit(request("docker.io/vaultwarden/server", "1.36.0"), t0() + 1h);
  BOOST_REQUIRE(held.has_value());
  BOOST_TEST(held->verdict == Admission::Verdict::held);
  BOOST_REQUIRE(held->hold.has_value());
  BOOST_TEST(store::held_message(*held->hold) ==
             "held: rolled back on 2026-12-02T12:00:00Z: verification failed: pods in CrashLoopBackOff");
  // Recorded, not queued.
  auto r = journal.find(held->id);
  BOOST_TEST(r->request.outcome == "held");
  BOOST_TEST(r->request.reason == store::held_message(*held->hold));
  BOOST_TEST(journal.queued()->empty());

  // A newer tag is not held.
  BOOST_TEST(journal.admit(request("docker.io/vaultwarden/server", "1.36.1"), t0() + 1h)->verdict ==
             Admission::Verdict::accepted);
}

BOOST_FIXTURE_TEST_CASE(holding_twice_keeps_the_first_and_release_lifts_it, JournalFixture) {
  for (int i = 0; i < 7; ++i)
    (void)journal.record_refused(request("docker.io/x/y", std::to_string(i)), "refused", "", t0());
  BOOST_REQUIRE(journal.hold(rolled_back("docker.io/library/redis", "8.0.0", t0())).has_value());
  auto second = journal.hold(rolled_back("docker.io/library/redis", "8.0.0", t0() + 5h));
  BOOST_TEST((second->held_at == t0()));
  BOOST_REQUIRE(journal.holds()->size() == 1U);

  auto released = journal.release({"docker.io/library/redis", "8.0.0"}, t0() + 6h);
  BOOST_REQUIRE(released.has_value());
  BOOST_TEST(released->reason == "verification failed: pods in CrashLoopBackOff");
  BOOST_TEST(journal.holds()->empty());
  BOOST_TEST(!journal.find_hold({"docker.io/library/redis", "8.0.0"})->has_value());
  auto again = journal.release({"docker.io/library/redis", "8.0.0"}, t0() + 7h);
  BOOST_REQUIRE(!again.has_value());
  BOOST_TEST(again.error().kind == core::ErrorKind::not_found);
  BOOST_TEST(again.error().message == "no hold on docker.io/library/redis:8.0.0");
}

BOOST_FIXTURE_TEST_CASE(after_a_release_the_rolled_back_target_runs_again_within_the_day, JournalFixture) {
  const auto first = journal.admit(request("docker.io/library/redis", "8.0.0"), t0());
  BOOST_REQUIRE(journal.begin(first->id, {5, 6h}, t0())->started);
  BOOST_REQUIRE(journal.finish(first->id, "rolled back", "pods crash", t0() + 15min).has_value());
  auto held = rolled_back("docker.io/library/redis", "8.0.0", t0() + 15min);
  held.request = first->id;
  BOOST_REQUIRE(journal.hold(held).has_value());
  BOOST_TEST(journal.admit(request("docker.io/library/redis", "8.0.0"), t0() + 1h)->verdict ==
             Admission::Verdict::held);
  BOOST_REQUIRE(journal.release({"docker.io/library/redis", "8.0.0"}, t0() + 2h).has_value());
  // Without the release this would be a duplicate of the rolled-back request.
  const auto retry = journal.admit(request("docker.io/library/redis", "8.0.0"), t0() + 3h);
  BOOST_TEST(retry->verdict == Admission::Verdict::accepted);
  BOOST_TEST(journal.admit(request("docker.io/library/redis", "8.0.0"), t0() + 3h)->verdict ==
             Admission::Verdict::duplicate);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limit)

BOOST_FIXTURE_TEST_CASE(five_starts_per_six_hours_then_the_sixth_waits_for_the_oldest_to_leave,
                        JournalFixture) {
  auto limit = config::parse_rate_limit("5/6h");
  BOOST_REQUIRE(limit.has_value());
  std::vector<store::RequestId> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(journal.admit(request("docker.io/app/n" + std::to_string(i), "1.0.0"), t0())->id);
  for (int i = 0; i < 5; ++i) {
    auto s = journal.begin(ids[static_cast<std::size_t>(i)], *limit, t0() + std::chrono::minutes(10 * i));
    BOOST_REQUIRE(s.has_value());
    BOOST_TEST(s->started);
  }
  const auto now = t0() + 1h;
  auto sixth = journal.begin(ids[5], *limit, now);
  BOOST_REQUIRE(sixth.has_value());
  BOOST_TEST(!sixth->started);
  BOOST_TEST((sixth->not_before == t0() + 6h));  // the first start leaves the window
  BOOST_TEST((*journal.next_start(*limit, now) == t0() + 6h));
  // Deferred, not dropped: still queued.
  BOOST_TEST(journal.queued()->size() == 2U);
  BOOST_TEST(!journal.begin(ids[5], *limit, t0() + 6h - 1ms)->started);
  BOOST_TEST(journal.begin(ids[5], *limit, t0() + 6h)->started);
  // Now the window holds starts at +10m..+40m and +6h: the next waits for +10m's.
  auto seventh = journal.begin(ids[6], *limit, t0() + 6h);
  BOOST_TEST((seventh->not_before == t0() + 6h + 10min));
}

BOOST_FIXTURE_TEST_CASE(the_window_survives_a_restart, JournalFixture) {
  const config::RateLimit limit{2, 1h};
  std::vector<store::RequestId> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(journal.admit(request("docker.io/app/n" + std::to_string(i), "1"), t0())->id);
  BOOST_REQUIRE(journal.begin(ids[0], limit, t0())->started);
  BOOST_REQUIRE(journal.begin(ids[1], limit, t0() + 30min)->started);
  journal = open();  // the process restarts
  BOOST_TEST((*journal.next_start(limit, t0() + 31min) == t0() + 1h));
  BOOST_TEST(!journal.begin(ids[2], limit, t0() + 59min)->started);
  BOOST_TEST(journal.begin(ids[2], limit, t0() + 1h)->started);
}

BOOST_FIXTURE_TEST_CASE(only_a_queued_request_starts, JournalFixture) {
  const auto a = journal.admit(request("docker.io/app/a", "1"), t0());
  BOOST_REQUIRE(journal.begin(a->id, {5, 6h}, t0())->started);
  auto again = journal.begin(a->id, {5, 6h}, t0());
  BOOST_TEST(again.error().kind == core::ErrorKind::conflict);
  BOOST_TEST(journal.begin(4242, {5, 6h}, t0()).error().kind == core::ErrorKind::not_found);
  // The refused second start did not count against the window.
  BOOST_TEST((*journal.next_start({2, 6h}, t0()) == t0()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
