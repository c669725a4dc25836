// Journal::admit_many and AsyncJournal::admit_grouped: many admits in one
// transaction, each answered as admit() alone would, and only after commit.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "store/helpers.hpp"
#include "support/coro.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/store/async_journal.hpp"

namespace ua::test {
namespace {

namespace asio = boost::asio;
using Verdict = store::Admission::Verdict;

asio::awaitable<void> admit_one(store::AsyncJournal& journal, store::NewRequest r, store::TimePoint now,
                                std::vector<std::optional<core::Expected<store::Admission>>>& out, std::size_t i) {
  auto a = co_await journal.admit_grouped(std::move(r), now);
  out[i].emplace(std::move(a));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(group_commit, JournalFixture)

BOOST_AUTO_TEST_CASE(admit_many_answers_like_admits_one_by_one) {
  store::Hold hold{{"docker.io/x/held", "2.0"}, t0(), "pods crash-looped", std::nullopt};
  BOOST_REQUIRE(journal.hold(hold));
  std::vector<store::Journal::Admit> batch{
      {request("docker.io/x/a", "1.0"), t0()},
      {request("docker.io/x/b", "1.0"), t0()},
      {request("docker.io/x/a", "1.0"), t0()},  // the first one's duplicate, in the same transaction
      {request("docker.io/x/held", "2.0"), t0()},
  };
  auto answers = journal.admit_many(batch);
  BOOST_REQUIRE_EQUAL(answers.size(), 4U);
  for (const auto& a : answers) BOOST_REQUIRE(a.has_value());
  BOOST_TEST(answers[0]->verdict == Verdict::accepted);
  BOOST_TEST(answers[1]->verdict == Verdict::accepted);
  BOOST_TEST(answers[2]->verdict == Verdict::duplicate);
  BOOST_TEST(answers[2]->id == answers[0]->id);
  BOOST_TEST(answers[3]->verdict == Verdict::held);
  auto queued = journal.queued();
  BOOST_REQUIRE(queued);
  BOOST_TEST(queued->size() == 2U);
  // A second handle on the file sees all of it: it was committed.
  auto other = open();
  auto listed = other.list(10);
  BOOST_REQUIRE(listed);
  BOOST_TEST(listed->size() == 3U);  // a, b and the held record
}

BOOST_AUTO_TEST_CASE(admit_many_of_nothing_is_nothing) {
  BOOST_TEST(journal.admit_many({}).empty());
}

BOOST_AUTO_TEST_CASE(grouped_admits_share_transactions_and_are_all_on_disk) {
  asio::io_context io;
  runtime::BlockingPool pool{2};
  auto opened = run_expected(io, store::AsyncJournal::open(file, {}, pool));
  BOOST_REQUIRE(opened.has_value());
  auto& async = **opened;
  constexpr std::size_t kN = 200;
  std::vector<std::optional<core::Expected<store::Admission>>> out(kN);
  for (std::size_t i = 0; i < kN; ++i) {
    asio::co_spawn(io, admit_one(async, request("docker.io/x/app", "1." + std::to_string(i)), t0(), out, i),
                   asio::detached);
  }
  const auto start = std::chrono::steady_clock::now();
  while (std::any_of(out.begin(), out.end(), [](const auto& o) { return !o.has_value(); })) {
    io.run_one_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
    BOOST_REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  }
  std::set<store::RequestId> ids;
  for (const auto& o : out) {
    BOOST_REQUIRE(o->has_value());
    BOOST_TEST((**o).verdict == Verdict::accepted);
    ids.insert((**o).id);
  }
  BOOST_TEST(ids.size() == kN);
  const auto stats = async.group_stats();
  BOOST_TEST(stats.admits == kN);
  // All 200 were waiting before the first transaction ended: far fewer transactions than admits.
  BOOST_TEST(stats.transactions < kN / 4);
  BOOST_TEST(stats.transactions >= 1U);
  auto listed = journal.list(1000);  // the fixture's own connection: what is on disk
  BOOST_REQUIRE(listed);
  BOOST_TEST(listed->size() == kN);
  // Alone, an admit is its own transaction at once: no waiting for company.
  auto single = run_expected(io, async.admit_grouped(request("docker.io/x/solo", "1.0"), t0()));
  BOOST_REQUIRE(single.has_value());
  BOOST_TEST(single->verdict == Verdict::accepted);
  BOOST_TEST(async.group_stats().transactions == stats.transactions + 1);
  pool.join();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ua::test
