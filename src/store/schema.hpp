#pragma once
// The journal's schema, versioned with PRAGMA user_version: migration N takes
// a database from version N-1 to N, each in its own transaction, in order.
// Released migrations are never edited; a change is a new one.
#include "store/sqlite.hpp"

namespace ua::store {

// Brings the database to kSchemaVersion; a newer version is refused (an
// older program must not write a journal it does not understand).
core::Expected<void> migrate(sqlite::Connection& db);
core::Expected<int> user_version(sqlite::Connection& db);

}  // namespace ua::store
