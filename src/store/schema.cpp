#include "store/schema.hpp"

#include <array>
#include <string>

#include "upgrade_agent/store/journal.hpp"

namespace ua::store {

namespace {

// Version 1: the queue and the checkpoints.
constexpr const char* kV1 = R"sql(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  image TEXT NOT NULL,
  tag TEXT NOT NULL,
  hub_link TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
  outcome TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE checkpoints (
  request_id INTEGER NOT NULL REFERENCES requests(id),
  seq INTEGER NOT NULL,
  step TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  sha TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  PRIMARY KEY (request_id, seq)
);
)sql";

// Version 2: start and end times, evidence and errors on checkpoints, holds,
// the rate-limit window, and the index the duplicate check reads.
constexpr const char* kV2 = R"sql(
ALTER TABLE requests ADD COLUMN started_at INTEGER;
ALTER TABLE requests ADD COLUMN finished_at INTEGER;
CREATE INDEX requests_by_target ON requests(image, tag, state);
ALTER TABLE checkpoints ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
ALTER TABLE checkpoints ADD COLUMN error TEXT NOT NULL DEFAULT '';
CREATE TABLE holds (
  id INTEGER PRIMARY KEY,
  image TEXT NOT NULL,
  tag TEXT NOT NULL,
  held_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  request_id INTEGER REFERENCES requests(id),
  released_at INTEGER
);
CREATE UNIQUE INDEX holds_active ON holds(image, tag) WHERE released_at IS NULL;
CREATE TABLE starts (
  request_id INTEGER NOT NULL REFERENCES requests(id),
  at INTEGER NOT NULL
);
CREATE INDEX starts_by_time ON starts(at);
)sql";

// Version 3: the outcome a final report tells, so a restart can post it or
// record it without running the saga again.
constexpr const char* kV3 = R"sql(
ALTER TABLE checkpoints ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: where DIUN saw the image (its Kubernetes provider's hints), for the report.
constexpr const char* kV4 = R"sql(
ALTER TABLE requests ADD COLUMN seen_namespace TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN seen_container TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<const char*, kSchemaVersion> kMigrations{kV1, kV2, kV3, kV4};

}  // namespace

core::Expected<int> user_version(sqlite::Connection& db) {
  auto stmt = db.prepare("PRAGMA user_version", "read the schema version");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? static_cast<int>(stmt->int64(0)) : 0;
}

core::Expected<void> migrate(sqlite::Connection& db) {
  auto version = user_version(db);
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return core::make_error(core::ErrorKind::critical,
                            "the journal " + db.file() + " has schema version " + std::to_string(*version) +
                                ", newer than this program's " + std::to_string(kSchemaVersion) +
                                ": run the newer upgrade-agent or restore an older copy",
                            "journal", "migrate");
  }
  for (int v = *version + 1; v <= kSchemaVersion; ++v) {
    const std::string operation = "migrate to schema version " + std::to_string(v);
    auto tx = sqlite::Transaction::begin(db, operation);
    if (!tx) return tx.error();
    // Re-read under the write lock: another process may have migrated meanwhile.
    auto now = user_version(db);
    if (!now) return now.error();
    if (*now >= v) continue;
    auto applied = db.exec(kMigrations.at(static_cast<std::size_t>(v - 1)), operation);
    if (!applied) return applied.error();
    auto stamped = db.exec("PRAGMA user_version = " + std::to_string(v), operation);
    if (!stamped) return stamped.error();
    auto committed = tx->commit();
    if (!committed) return committed.error();
  }
  return core::ok();
}

}  // namespace ua::store
