#pragma once
// The only place that touches SQLite's C handles: a connection and a prepared
// statement, each owned by one object and closed by its destructor, and a
// transaction that rolls back unless committed. Every failure becomes a
// core::Error by SQLite's result code (never by its message): busy/locked ->
// unavailable, corrupt/not a database/read-only/I/O/full/cannot open ->
// critical naming the file, constraint -> conflict, anything else -> internal.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "upgrade_agent/core/expected.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ua::store::sqlite {

// Maps a primary or extended SQLite result code; `file` is named in critical errors.
core::Error to_error(int code, std::string_view detail, const std::string& file, std::string operation);

class Statement;

class Connection {
 public:
  struct Options {
    bool create = true;  // false: the file must exist (the CLI reads a journal, never makes one)
    std::chrono::milliseconds busy_timeout = std::chrono::seconds(5);
  };
  static core::Expected<Connection> open(const std::filesystem::path& file, Options options);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  ~Connection();

  // Runs statements with no result rows (pragmas that answer are read with prepare).
  core::Expected<void> exec(const std::string& sql, const std::string& operation);
  core::Expected<Statement> prepare(std::string_view sql, const std::string& operation);
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] core::Error error(int code, const std::string& operation) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };
  Connection(std::unique_ptr<sqlite3, Closer> db, std::string file)
      : db_(std::move(db)), file_(std::move(file)) {}
  std::unique_ptr<sqlite3, Closer> db_;
  std::string file_;
};

class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement();

  // Parameters are 1-based, as in SQL's ?1.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  // true: a row is ready; false: done. Binding failures surface here.
  core::Expected<bool> step();
  // Steps to the end, expecting no rows.
  core::Expected<void> run();
  core::Expected<void> reset();

  [[nodiscard]] std::int64_t int64(int column) const;
  [[nodiscard]] std::optional<std::int64_t> optional_int64(int column) const;
  [[nodiscard]] std::string text(int column) const;

 private:
  friend class Connection;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  Statement(std::unique_ptr<sqlite3_stmt, Finalizer> stmt, std::string file, std::string operation)
      : stmt_(std::move(stmt)), file_(std::move(file)), operation_(std::move(operation)) {}
  [[nodiscard]] core::Error error(int code) const;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string file_;  // for errors
  std::string operation_;
  int bind_failure_ = 0;  // the first failing bind's code, reported by step()
};

// BEGIN IMMEDIATE: the write lock is taken at the start, so a busy journal
// is met (and waited for, up to the busy timeout) before any work is done,
// never half-way through as a deferred transaction's lock upgrade would be.
class Transaction {
 public:
  static core::Expected<Transaction> begin(Connection& db, const std::string& operation);
  Transaction(Transaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), operation_(std::move(other.operation_)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  core::Expected<void> commit();

 private:
  Transaction(Connection& db, std::string operation) : db_(&db), operation_(std::move(operation)) {}
  Connection* db_;
  std::string operation_;
};

}  // namespace ua::store::sqlite
