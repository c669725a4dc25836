// SQLite's failures reach callers as core::Error kinds, by result code:
// busy -> unavailable, damaged/unwritable -> critical naming the file,
// constraint -> conflict; a missing journal the CLI asked for is not_found.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <fstream>

#include "store/helpers.hpp"
#include "store/sqlite.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_critical_and_named) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  std::ofstream(file) << std::string(8192, 'x');
  auto journal = store::Journal::open(file);
  BOOST_REQUIRE(!journal.has_value());
  BOOST_TEST(journal.error().kind == core::ErrorKind::critical);
  BOOST_TEST(journal.error().system == "journal");
  BOOST_TEST(journal.error().message.find(file.string()) != std::string::npos);
  BOOST_TEST(journal.error().message.find("damaged") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_damaged_page_is_found_on_open_critical_and_named) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  {
    auto journal = store::Journal::open(file);
    BOOST_REQUIRE(journal.has_value());
    for (int i = 0; i < 300; ++i) {
      BOOST_REQUIRE(
          journal->admit(request("docker.io/app/n" + std::to_string(i), std::string(200, 'v')), t0()));
    }
  }  // the last connection closes: the WAL is checkpointed into the file
  BOOST_REQUIRE(!std::filesystem::exists(dir.path() / (std::string(store::kJournalFile) + "-wal")) ||
                std::filesystem::file_size(dir.path() / (std::string(store::kJournalFile) + "-wal")) == 0);
  // The requests table's root page (an interior page with 300 rows): junk
  // over its cell pointers breaks the b-tree.
  std::int64_t root = 0;
  {
    auto db = store::sqlite::Connection::open(file, {false, 1s});
    BOOST_REQUIRE(db.has_value());
    auto s = db->prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'requests'", "find the root page");
    BOOST_REQUIRE(*s->step());
    root = s->int64(0);
  }
  BOOST_REQUIRE(root > 1);
  BOOST_REQUIRE(std::filesystem::file_size(file) >= static_cast<std::uintmax_t>(root * 4096));
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((root - 1) * 4096 + 12);
    const std::string junk(2000, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto journal = store::Journal::open(file);
  BOOST_REQUIRE(!journal.has_value());
  BOOST_TEST(journal.error().kind == core::ErrorKind::critical);
  BOOST_TEST(journal.error().message.find(file.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_journal_is_not_found_when_it_must_exist) {
  ScratchDir dir;
  const auto file = dir.path() / "nowhere" / store::kJournalFile;
  auto journal = store::Journal::open(file, {false, 1s});
  BOOST_REQUIRE(!journal.has_value());
  BOOST_TEST(journal.error().kind == core::ErrorKind::not_found);
  BOOST_TEST(journal.error().message == "no journal at " + file.string());
  BOOST_TEST(!std::filesystem::exists(file.parent_path()));  // nothing made
}

BOOST_AUTO_TEST_CASE(a_writer_holding_the_lock_makes_the_other_wait_its_busy_timeout_then_unavailable) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  auto journal = store::Journal::open(file, {true, 150ms});
  BOOST_REQUIRE(journal.has_value());
  auto other = store::sqlite::Connection::open(file, {false, 1s});
  BOOST_REQUIRE(other.has_value());
  auto locked = store::sqlite::Transaction::begin(*other, "hold the write lock");
  BOOST_REQUIRE(locked.has_value());

  const auto start = std::chrono::steady_clock::now();
  auto busy = journal->admit(request("docker.io/library/redis", "7.4.1"), t0());
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_REQUIRE(!busy.has_value());
  BOOST_TEST(busy.error().kind == core::ErrorKind::unavailable);
  BOOST_TEST(busy.error().message.find("busy") != std::string::npos);
  BOOST_TEST(waited >= 150ms);
  BOOST_TEST(waited < 5s);
  // Readers are not blocked by the writer (WAL).
  BOOST_TEST(journal->queued().has_value());

  BOOST_REQUIRE(locked->commit().has_value());
  auto after = journal->admit(request("docker.io/library/redis", "7.4.1"), t0());
  BOOST_REQUIRE(after.has_value());
  BOOST_TEST(after->verdict == store::Admission::Verdict::accepted);
  // The failed attempt left nothing behind.
  BOOST_TEST(journal->queued()->size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(a_broken_reference_is_a_conflict, JournalFixture) {
  auto held = journal.hold({{"docker.io/library/redis", "7.4.1"}, t0(), "rolled back", 12345});
  BOOST_REQUIRE(!held.has_value());
  BOOST_TEST(held.error().kind == core::ErrorKind::conflict);
  BOOST_TEST(journal.holds()->empty());
}

BOOST_AUTO_TEST_CASE(a_read_only_journal_is_critical_and_named) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("skipped: root ignores file modes");
    return;
  }
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  { BOOST_REQUIRE(store::Journal::open(file).has_value()); }
  std::filesystem::permissions(dir.path(),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  std::filesystem::permissions(file, std::filesystem::perms::owner_read);
  auto journal = store::Journal::open(file);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
  BOOST_REQUIRE(!journal.has_value());
  BOOST_TEST(journal.error().kind == core::ErrorKind::critical);
  BOOST_TEST(journal.error().message.find(file.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(result_codes_map_to_kinds_not_text) {
  const std::string f = "/var/lib/x/journal.sqlite3";
  BOOST_TEST(store::sqlite::to_error(5 /*BUSY*/, "", f, "op").kind == core::ErrorKind::unavailable);
  BOOST_TEST(store::sqlite::to_error(6 /*LOCKED*/, "", f, "op").kind == core::ErrorKind::unavailable);
  BOOST_TEST(store::sqlite::to_error(517 /*BUSY_SNAPSHOT*/, "", f, "op").kind ==
             core::ErrorKind::unavailable);
  BOOST_TEST(store::sqlite::to_error(11 /*CORRUPT*/, "", f, "op").kind == core::ErrorKind::critical);
  BOOST_TEST(store::sqlite::to_error(26 /*NOTADB*/, "", f, "op").kind == core::ErrorKind::critical);
  BOOST_TEST(store::sqlite::to_error(8 /*READONLY*/, "", f, "op").kind == core::ErrorKind::critical);
  BOOST_TEST(store::sqlite::to_error(787 /*CONSTRAINT_FOREIGNKEY*/, "", f, "op").kind ==
             core::ErrorKind::conflict);
  BOOST_TEST(store::sqlite::to_error(1 /*ERROR*/, "", f, "op").kind == core::ErrorKind::internal);
  // The text says the same whatever SQLite's message is.
  BOOST_TEST(store::sqlite::to_error(11, "anything", f, "op").message.find(f) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
