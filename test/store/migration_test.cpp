// The schema is versioned with PRAGMA user_version: a version-1 journal made
// by hand (as the first release wrote it) is migrated in place, its rows kept.
#include <boost/test/unit_test.hpp>

#include "store/helpers.hpp"
#include "store/sqlite.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;

void make_by_hand(const std::filesystem::path& file, const std::string& sql) {
  std::filesystem::create_directories(file.parent_path());
  auto db = store::sqlite::Connection::open(file, {});
  BOOST_REQUIRE(db.has_value());
  auto done = db->exec(sql, "make the database");
  BOOST_REQUIRE_MESSAGE(done.has_value(), (done ? std::string() : done.error().describe()));
}

// Version 1 exactly as it shipped: no times beyond received_at, no holds, no window.
const std::string kVersion1 = R"sql(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY, image TEXT NOT NULL, tag TEXT NOT NULL, hub_link TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL, received_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
  outcome TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '');
CREATE TABLE checkpoints (
  request_id INTEGER NOT NULL REFERENCES requests(id), seq INTEGER NOT NULL, step TEXT NOT NULL,
  kind TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', sha TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL,
  PRIMARY KEY (request_id, seq));
INSERT INTO requests VALUES (1, 'docker.io/library/redis', '7.4.1', 'https://hub', 'diun', 1796212800000, 'done', 'upgraded', 'verified');
INSERT INTO requests VALUES (2, 'docker.io/library/nginx', '1.27.3', '', 'api', 1796212860000, 'running', '', '');
INSERT INTO checkpoints VALUES (2, 1, 'publish', 'about_to_push', 'upgrade: nginx 1.27.2 -> 1.27.3', '', 1796212870000);
INSERT INTO checkpoints VALUES (2, 2, 'publish', 'pushed', 'upgrade: nginx 1.27.2 -> 1.27.3', 'abc123', 1796212880000);
PRAGMA user_version = 1;
)sql";

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(a_version_1_journal_is_migrated_and_keeps_its_rows) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  make_by_hand(file, kVersion1);

  auto journal = store::Journal::open(file);
  BOOST_REQUIRE_MESSAGE(journal.has_value(), (journal ? std::string() : journal.error().describe()));
  BOOST_TEST(*journal->schema_version() == store::kSchemaVersion);

  auto done = journal->find(1);
  BOOST_REQUIRE(done.has_value());
  BOOST_TEST(done->request.outcome == "upgraded");
  BOOST_TEST(!done->request.finished_at.has_value());  // v1 did not record it
  BOOST_TEST((done->request.received_at == t0()));

  // The running saga of v1 resumes from its checkpoints.
  auto unfinished = journal->unfinished();
  BOOST_REQUIRE(unfinished->size() == 1U);
  BOOST_TEST(unfinished->front().request.id == 2);
  BOOST_TEST(unfinished->front().resume.point == store::ResumePoint::pushed);
  BOOST_TEST(unfinished->front().resume.upgrade_sha == "abc123");
  auto steps = journal->find(2)->steps;
  BOOST_REQUIRE(steps.size() == 2U);
  BOOST_TEST(steps[0].evidence.empty());  // the new columns' defaults
  BOOST_TEST(steps[0].outcome.empty());

  // What version 2 added works on the migrated file.
  BOOST_REQUIRE(journal->hold({{"docker.io/library/redis", "7.4.1"}, t0(), "rolled back", 1}).has_value());
  BOOST_TEST(journal->admit(request("docker.io/library/redis", "7.4.1"), t0() + 1h)->verdict ==
             store::Admission::Verdict::held);
  // v1's done row has no finished_at: the duplicate rule falls back to its received time.
  BOOST_REQUIRE(journal->release({"docker.io/library/redis", "7.4.1"}, t0() - 1h).has_value());
  BOOST_TEST(journal->admit(request("docker.io/library/redis", "7.4.1"), t0() + 2h)->verdict ==
             store::Admission::Verdict::duplicate);

  // Opening again is a no-op.
  journal = store::Journal::open(file);
  BOOST_TEST(*journal->schema_version() == store::kSchemaVersion);
}

BOOST_AUTO_TEST_CASE(an_empty_file_gets_the_whole_schema) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  make_by_hand(file, "CREATE TABLE unrelated (x); DROP TABLE unrelated;");
  auto journal = store::Journal::open(file);
  BOOST_REQUIRE(journal.has_value());
  BOOST_TEST(*journal->schema_version() == store::kSchemaVersion);
}

BOOST_AUTO_TEST_CASE(a_journal_from_a_newer_program_is_refused_and_left_alone) {
  ScratchDir dir;
  const auto file = dir.path() / store::kJournalFile;
  make_by_hand(file, "CREATE TABLE future (x); PRAGMA user_version = 9;");
  auto journal = store::Journal::open(file);
  BOOST_REQUIRE(!journal.has_value());
  BOOST_TEST(journal.error().kind == core::ErrorKind::critical);
  BOOST_TEST(journal.error().message.find(file.string()) != std::string::npos);
  BOOST_TEST(journal.error().message.find("schema version 9") != std::string::npos);
  auto db = store::sqlite::Connection::open(file, {false, std::chrono::seconds(1)});
  auto s = db->prepare("PRAGMA user_version", "read");
  BOOST_REQUIRE(*s->step());
  BOOST_TEST(s->int64(0) == 9);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
