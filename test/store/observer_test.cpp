// JournalObserver: on_event never waits for the disk; flushed() waits until
// everything received is committed, in order, or reports the failure.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "store/helpers.hpp"
#include "support/coro.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/store/journal_observer.hpp"

namespace ua::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

saga::Event event(saga::EventKind kind, saga::Step step, std::string sha = {}) {
  saga::Event e;
  e.kind = kind;
  e.step = step;
  e.sha = std::move(sha);
  e.detail = "event " + std::to_string(static_cast<int>(kind));
  return e;
}

struct ObserverFixture {
  ScratchDir dir{"ua-store-"};
  asio::io_context io;
  runtime::BlockingPool pool{2};
  std::unique_ptr<store::AsyncJournal> journal;
  store::TimePoint clock = t0();

  ObserverFixture() {
    auto opened = run_expected(io, store::AsyncJournal::open(dir.path() / store::kJournalFile, {}, pool));
    BOOST_REQUIRE(opened.has_value());
    journal = std::move(*opened);
  }
  ~ObserverFixture() { pool.join(); }

  store::RequestId running(const std::string& tag) {
    auto a = run_expected(io, journal->admit(request("docker.io/library/redis", tag), t0()));
    BOOST_REQUIRE(a.has_value());
    auto s = run_expected(io, journal->begin(a->id, {5, 6h}, t0()));
    BOOST_REQUIRE(s->started);
    return a->id;
  }
};

BOOST_AUTO_TEST_SUITE(observer)

BOOST_FIXTURE_TEST_CASE(events_are_queued_at_once_and_on_disk_after_flushed, ObserverFixture) {
  const auto id = running("7.4.1");
  store::JournalObserver observer(*journal, id, io.get_executor(), [this] { return clock += 1s; });
  observer.on_event(event(saga::EventKind::started, saga::Step::publish));
  observer.on_event(event(saga::EventKind::about_to_push, saga::Step::publish));
  // Nothing ran yet: on_event only queued the writes.
  BOOST_TEST(observer.received() == 2U);
  BOOST_TEST(observer.committed() == 0U);
  auto flushed = run_expected(io, observer.flushed());
  BOOST_TEST(flushed.has_value());
  BOOST_TEST(observer.committed() == 2U);

  observer.on_event(event(saga::EventKind::pushed, saga::Step::publish, "aaa111"));
  BOOST_TEST(run_expected(io, observer.flushed()).has_value());
  auto upgrade = run_expected(io, journal->find(id));
  BOOST_REQUIRE(upgrade->steps.size() == 3U);
  BOOST_TEST((upgrade->steps[1].kind == saga::EventKind::about_to_push));
  BOOST_TEST(upgrade->steps[2].sha == "aaa111");
  BOOST_TEST((upgrade->steps[2].at == t0() + 3s));
  auto unfinished = run_expected(io, journal->unfinished());
  BOOST_TEST(unfinished->front().resume.point == store::ResumePoint::pushed);
}

BOOST_FIXTURE_TEST_CASE(flushed_with_nothing_pending_is_immediate, ObserverFixture) {
  const auto id = running("7.4.2");
  store::JournalObserver observer(*journal, id, io.get_executor());
  BOOST_TEST(run_expected(io, observer.flushed()).has_value());
  BOOST_TEST(observer.committed() == 0U);
}

BOOST_FIXTURE_TEST_CASE(a_failed_write_is_reported_and_nothing_after_it_is_written, ObserverFixture) {
  auto a = run_expected(io, journal->admit(request("docker.io/library/redis", "7.4.3"), t0()));
  store::JournalObserver observer(*journal, a->id, io.get_executor());  // queued, not running
  observer.on_event(event(saga::EventKind::started, saga::Step::locate));
  auto flushed = run_expected(io, observer.flushed());
  BOOST_REQUIRE(!flushed.has_value());
  BOOST_TEST(flushed.error().kind == core::ErrorKind::conflict);
  // Later events are dropped, and flushed() keeps saying why.
  BOOST_REQUIRE(run_expected(io, journal->begin(a->id, {5, 6h}, t0()))->started);
  observer.on_event(event(saga::EventKind::about_to_push, saga::Step::publish));
  BOOST_TEST(!run_expected(io, observer.flushed()).has_value());
  BOOST_TEST(run_expected(io, journal->find(a->id))->steps.empty());
  BOOST_TEST(observer.committed() == 0U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
