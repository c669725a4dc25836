#include "store/sqlite.hpp"

#include <sqlite3.h>

#include <limits>

namespace ua::store::sqlite {

namespace {
constexpr const char* kSystem = "journal";
}

core::Error to_error(int code, std::string_view detail, const std::string& file, std::string operation) {
  const int primary = code & 0xff;
  std::string what(detail.empty() ? std::string_view(sqlite3_errstr(code)) : detail);
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::make_error(core::ErrorKind::unavailable, "the journal " + file + " is busy (" + what + ")",
                              kSystem, std::move(operation));
    case SQLITE_CONSTRAINT:
      return core::make_error(core::ErrorKind::conflict, what, kSystem, std::move(operation));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::make_error(
          core::ErrorKind::critical,
          "the journal " + file + " is damaged (" + what + "): move it aside and restore a copy", kSystem,
          std::move(operation));
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return core::make_error(core::ErrorKind::critical,
                              "the journal " + file + " cannot be written (" + what + ")", kSystem,
                              std::move(operation));
    default:
      return core::make_error(core::ErrorKind::internal, what + " in " + file, kSystem, std::move(operation));
  }
}

void Connection::Closer::operator()(sqlite3* db) const noexcept {
  // Statements are owned by Statement objects that never outlive a call, so
  // close_v2 finds none left; it would defer the close if one were.
  sqlite3_close_v2(db);
}

Connection::~Connection() = default;

core::Expected<Connection> Connection::open(const std::filesystem::path& file, Options options) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    return to_error(rc, raw != nullptr ? sqlite3_errmsg(raw) : "", file.string(), "open");
  }
  sqlite3_extended_result_codes(raw, 1);
  const auto ms = options.busy_timeout.count();
  sqlite3_busy_timeout(raw, static_cast<int>(std::min<std::int64_t>(ms, std::numeric_limits<int>::max())));
  return Connection(std::move(db), file.string());
}

core::Error Connection::error(int code, const std::string& operation) const {
  return to_error(code, sqlite3_errmsg(db_.get()), file_, operation);
}

core::Expected<void> Connection::exec(const std::string& sql, const std::string& operation) {
  const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(sqlite3_extended_errcode(db_.get()), operation);
  return core::ok();
}

core::Expected<Statement> Connection::prepare(std::string_view sql, const std::string& operation) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, Statement::Finalizer> stmt(raw);
  if (rc != SQLITE_OK) return error(rc, operation);
  return Statement(std::move(stmt), file_, operation);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}
int Connection::changes() const {
  return sqlite3_changes(db_.get());
}

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Statement::~Statement() = default;

core::Error Statement::error(int code) const {
  return to_error(code, sqlite3_errmsg(sqlite3_db_handle(stmt_.get())), file_, operation_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK && bind_failure_ == 0) bind_failure_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_failure_ == 0) bind_failure_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t /*unused*/) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK && bind_failure_ == 0) bind_failure_ = rc;
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind(index, std::nullopt);
}

core::Expected<bool> Statement::step() {
  if (bind_failure_ != 0) return error(bind_failure_);
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(sqlite3_extended_errcode(sqlite3_db_handle(stmt_.get())));
}

core::Expected<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return core::ok();
  }
}

core::Expected<void> Statement::reset() {
  sqlite3_reset(stmt_.get());
  const int rc = sqlite3_clear_bindings(stmt_.get());
  bind_failure_ = 0;
  if (rc != SQLITE_OK) return error(rc);
  return core::ok();
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_.get(), column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))};
}

core::Expected<Transaction> Transaction::begin(Connection& db, const std::string& operation) {
  auto begun = db.exec("BEGIN IMMEDIATE", operation);
  if (!begun) return begun.error();
  return Transaction(db, operation);
}

core::Expected<void> Transaction::commit() {
  auto* db = std::exchange(db_, nullptr);
  if (db == nullptr)
    return core::make_error(core::ErrorKind::internal, "commit of a finished transaction", "journal",
                            operation_);
  auto committed = db->exec("COMMIT", operation_);
  if (!committed) {
    (void)db->exec("ROLLBACK", operation_);  // a failed COMMIT may leave the transaction open
  }
  return committed;
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK", operation_);
}

}  // namespace ua::store::sqlite
