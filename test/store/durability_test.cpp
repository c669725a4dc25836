// A writer killed with SIGKILL at an arbitrary moment: the reopened journal
// holds every transaction the writer saw committed, and no part of any other.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "store/helpers.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;

constexpr int kCheckpointsPerSaga = 5;

// The child: each round is three transactions (admit, begin, five checkpoints
// at once); after the third it reports the round's request id on the pipe.
[[noreturn]] void write_until_killed(const std::filesystem::path& file, int report_fd) {
  auto journal = store::Journal::open(file);
  if (!journal) _exit(3);
  for (int i = 0;; ++i) {
    auto a = journal->admit(request("docker.io/app/n" + std::to_string(i), "1.0." + std::to_string(i)), t0());
    if (!a) _exit(4);
    auto s = journal->begin(a->id, {1000000, 1h}, t0());
    if (!s || !s->started) _exit(5);
    std::vector<store::Checkpoint> cps(kCheckpointsPerSaga);
    for (int k = 0; k < kCheckpointsPerSaga; ++k) {
      cps[static_cast<std::size_t>(k)].detail = "step " + std::to_string(k);
      cps[static_cast<std::size_t>(k)].at = t0();
    }
    if (!journal->append(a->id, cps)) _exit(6);
    const std::int64_t id = a->id;
    if (::write(report_fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) _exit(7);
  }
}

BOOST_AUTO_TEST_SUITE(durability)

BOOST_AUTO_TEST_CASE(a_killed_writer_leaves_every_committed_row_and_no_partial_one) {
  // Several kills, each after a different number of rounds, so they land at
  // different points of the three transactions.
  for (const int rounds : {3, 17, 40}) {
    ScratchDir dir;
    const auto file = dir.path() / store::kJournalFile;
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      write_until_killed(file, fds[1]);
    }
    ::close(fds[1]);
    // The writer never stops by itself: kill it even when a check below fails.
    struct Reaper {
      pid_t pid;
      bool reaped = false;
      ~Reaper() {
        if (!reaped) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, nullptr, 0);
        }
      }
    } reaper{pid};
    std::vector<std::int64_t> confirmed;
    while (static_cast<int>(confirmed.size()) < rounds) {
      std::int64_t id = 0;
      const auto n = ::read(fds[0], &id, sizeof id);
      BOOST_REQUIRE_MESSAGE(n == static_cast<ssize_t>(sizeof id), "the writer stopped early");
      confirmed.push_back(id);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    reaper.reaped = true;
    ::close(fds[0]);
    BOOST_REQUIRE(WIFSIGNALED(status));
    BOOST_REQUIRE(WTERMSIG(status) == SIGKILL);

    auto journal = store::Journal::open(file);
    BOOST_REQUIRE_MESSAGE(journal.has_value(), (journal ? std::string() : journal.error().describe()));
    for (const auto id : confirmed) {
      auto u = journal->find(id);
      BOOST_REQUIRE_MESSAGE(u.has_value(), "committed request " << id << " is missing");
      BOOST_TEST(u->request.state == store::RequestState::running);
      BOOST_TEST(u->steps.size() == static_cast<std::size_t>(kCheckpointsPerSaga));
    }
    // Whatever the kill interrupted is there whole or not at all.
    auto all = journal->list(100000);
    BOOST_REQUIRE(all.has_value());
    BOOST_TEST(all->size() >= confirmed.size());
    BOOST_TEST(all->size() <= confirmed.size() + 1);
    for (const auto& r : *all) {
      const auto steps = journal->find(r.id)->steps.size();
      BOOST_TEST((steps == 0 || steps == static_cast<std::size_t>(kCheckpointsPerSaga)),
                 "request " << r.id << " has " << steps);
      if (r.state == store::RequestState::queued) BOOST_TEST(steps == 0U);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
