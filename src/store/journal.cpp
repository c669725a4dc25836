#include "upgrade_agent/store/journal.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>
#include <functional>
#include <map>
#include <system_error>

#include "store/names.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace ua::store {

namespace {

constexpr const char* kSystem = "journal";

std::int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_ms(std::int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}
std::optional<TimePoint> from_ms(std::optional<std::int64_t> ms) {
  if (!ms) return std::nullopt;
  return from_ms(*ms);
}

std::string join_evidence(const std::vector<std::string>& evidence) {
  boost::json::array a;
  for (const auto& e : evidence) a.emplace_back(e);
  return boost::json::serialize(a);
}

std::vector<std::string> split_evidence(const std::string& text) {
  std::vector<std::string> out;
  std::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& e : value.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

constexpr const char* kRequestColumns =
    "id, image, tag, hub_link, source, received_at, state, outcome, reason, started_at, finished_at, "
    "seen_namespace, seen_container";

core::Expected<RequestRecord> read_request(const sqlite::Statement& s, const std::string& file) {
  RequestRecord r;
  r.id = s.int64(0);
  r.target = {s.text(1), s.text(2)};
  r.hub_link = s.text(3);
  r.source = s.text(4);
  r.received_at = from_ms(s.int64(5));
  const auto state = parse_state(s.text(6));
  if (!state) {
    return core::make_error(core::ErrorKind::critical,
                            "the journal " + file + " holds request " + std::to_string(r.id) +
                                " in an unknown state '" + s.text(6) + "'",
                            kSystem, "read request");
  }
  r.state = *state;
  r.outcome = s.text(7);
  r.reason = s.text(8);
  r.started_at = from_ms(s.optional_int64(9));
  r.finished_at = from_ms(s.optional_int64(10));
  r.seen_in = {s.text(11), s.text(12)};
  return r;
}

}  // namespace

std::string format_time(TimePoint at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf, n};
}

std::filesystem::path journal_path(const std::filesystem::path& state_dir) {
  return state_dir / kJournalFile;
}

std::string held_message(const Hold& hold) {
  return "held: rolled back on " + format_time(hold.held_at) + ": " + hold.reason;
}

Checkpoint checkpoint_of(const saga::Event& event, TimePoint at) {
  Checkpoint c;
  c.step = event.step;
  c.kind = event.kind;
  c.detail = event.detail;
  c.sha = event.sha;
  c.evidence = event.evidence;
  c.outcome = event.outcome;
  if (event.kind == saga::EventKind::failed || event.kind == saga::EventKind::report_failed) {
    c.error = event.error.describe();
  }
  c.at = at;
  return c;
}

struct Journal::Impl {
  sqlite::Connection db;
  std::filesystem::path file;

  // The statements every admit runs, prepared once: under a flood of
  // webhooks (group commit) preparing them costs more than running them.
  // Destroyed before `db` (declared after it).
  std::map<std::string, sqlite::Statement, std::less<>> cache{};

  // A cached statement, reset (its read finished, bindings cleared) when the
  // use ends, so no read stays open past it.
  class Cached {
   public:
    explicit Cached(sqlite::Statement& s) : s_(&s) {}
    Cached(const Cached&) = delete;
    Cached& operator=(const Cached&) = delete;
    ~Cached() { (void)s_->reset(); }
    sqlite::Statement* operator->() const { return s_; }

   private:
    sqlite::Statement* s_;
  };

  // A cached statement's own errors name the operation of its first use: the
  // callers put the current one back (current()).
  core::Expected<sqlite::Statement*> cached(std::string_view sql, const std::string& operation) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
      auto s = db.prepare(sql, operation);
      if (!s) return s.error();
      it = cache.emplace(std::string(sql), std::move(*s)).first;
    }
    return &it->second;
  }

  static core::Error current(core::Error error, const std::string& operation) {
    error.operation = operation;
    return error;
  }

  core::Expected<sqlite::Statement> prepare(std::string_view sql, const std::string& operation) {
    return db.prepare(sql, operation);
  }

  core::Expected<std::optional<Hold>> active_hold(const Target& target, const std::string& operation) {
    auto p = cached(
        "SELECT held_at, reason, request_id FROM holds WHERE image = ?1 AND tag = ?2 AND released_at IS NULL",
        operation);
    if (!p) return p.error();
    const Cached s(**p);
    s->bind(1, target.image).bind(2, target.tag);
    auto row = s->step();
    if (!row) return current(row.error(), operation);
    if (!*row) return std::optional<Hold>();
    return std::optional<Hold>(Hold{target, from_ms(s->int64(0)), s->text(1), s->optional_int64(2)});
  }

  core::Expected<RequestId> insert(const NewRequest& r, TimePoint now, std::string_view state,
                                   const std::string& outcome, const std::string& reason,
                                   const std::string& operation) {
    auto p = cached(
        "INSERT INTO requests (image, tag, hub_link, source, received_at, state, outcome, reason, "
        "finished_at, seen_namespace, seen_container) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        operation);
    if (!p) return p.error();
    const Cached s(**p);
    s->bind(1, r.target.image)
        .bind(2, r.target.tag)
        .bind(3, r.hub_link)
        .bind(4, r.source)
        .bind(5, to_ms(now));
    s->bind(6, state).bind(7, outcome).bind(8, reason);
    s->bind(9, state == "done" ? std::optional<std::int64_t>(to_ms(now)) : std::nullopt);
    s->bind(10, r.seen_in.pod_namespace).bind(11, r.seen_in.container);
    auto ran = s->run();
    if (!ran) return current(ran.error(), operation);
    return db.last_insert_rowid();
  }

  // admit() without its transaction: the caller holds one (admit, admit_many).
  core::Expected<Admission> admit_in(const NewRequest& request, TimePoint now, const std::string& op) {
    Admission a;
    auto hold = active_hold(request.target, op);
    if (!hold) return hold.error();
    if (*hold) {
      auto id = insert(request, now, "done", "held", held_message(**hold), op);
      if (!id) return id.error();
      a.verdict = Admission::Verdict::held;
      a.id = *id;
      a.hold = std::move(*hold);
    } else {
      // Done requests count only after the target's last release: lifting a
      // hold is asking for the target again.
      auto p = cached(
          "SELECT id FROM requests WHERE image = ?1 AND tag = ?2 AND outcome != 'held' AND ("
          "state IN ('queued', 'running') OR (state = 'done' AND coalesce(finished_at, received_at) > ?3 "
          "AND coalesce(finished_at, received_at) > coalesce((SELECT max(released_at) FROM holds "
          "WHERE image = ?1 AND tag = ?2), -9223372036854775807))) ORDER BY id DESC LIMIT 1",
          op);
      if (!p) return p.error();
      const Cached dup(**p);
      dup->bind(1, request.target.image).bind(2, request.target.tag).bind(3, to_ms(now - kDuplicateWindow));
      auto row = dup->step();
      if (!row) return current(row.error(), op);
      if (*row) {
        a.verdict = Admission::Verdict::duplicate;
        a.id = dup->int64(0);
      } else {
        auto id = insert(request, now, "queued", "", "", op);
        if (!id) return id.error();
        a.id = *id;
      }
    }
    return a;
  }

  core::Expected<RequestRecord> request(RequestId id, const std::string& operation) {
    auto s = prepare(std::string("SELECT ") + kRequestColumns + " FROM requests WHERE id = ?1", operation);
    if (!s) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) {
      return core::make_error(core::ErrorKind::not_found,
                              "no request " + std::to_string(id) + " in the journal", kSystem, operation);
    }
    return read_request(*s, file.string());
  }

  core::Expected<std::vector<RequestRecord>> requests(const std::string& where_order,
                                                      std::optional<std::int64_t> limit,
                                                      const std::string& operation) {
    auto s = prepare(std::string("SELECT ") + kRequestColumns + " FROM requests " + where_order +
                         (limit ? " LIMIT ?1" : ""),
                     operation);
    if (!s) return s.error();
    if (limit) s->bind(1, *limit);
    std::vector<RequestRecord> out;
    for (;;) {
      auto row = s->step();
      if (!row) return row.error();
      if (!*row) break;
      auto r = read_request(*s, file.string());
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
    return out;
  }

  core::Expected<std::vector<Checkpoint>> checkpoints(RequestId id, const std::string& operation) {
    auto s = prepare(
        "SELECT seq, step, kind, detail, sha, evidence, error, at, outcome FROM checkpoints WHERE request_id = ?1 "
        "ORDER BY seq",
        operation);
    if (!s) return s.error();
    s->bind(1, id);
    std::vector<Checkpoint> out;
    for (;;) {
      auto row = s->step();
      if (!row) return row.error();
      if (!*row) break;
      Checkpoint c;
      c.seq = s->int64(0);
      const auto step = parse_step(s->text(1));
      const auto kind = parse_kind(s->text(2));
      if (!step || !kind) {
        return core::make_error(core::ErrorKind::critical,
                                "the journal " + file.string() + " holds an unknown checkpoint '" +
                                    s->text(1) + "/" + s->text(2) + "' for request " + std::to_string(id),
                                kSystem, operation);
      }
      c.step = *step;
      c.kind = *kind;
      c.detail = s->text(3);
      c.sha = s->text(4);
      c.evidence = split_evidence(s->text(5));
      c.error = s->text(6);
      c.at = from_ms(s->int64(7));
      c.outcome = s->text(8);
      out.push_back(std::move(c));
    }
    return out;
  }

  // Starts inside (now - window, now], oldest first.
  core::Expected<std::vector<TimePoint>> starts_in_window(const config::RateLimit& limit, TimePoint now,
                                                          const std::string& operation) {
    auto s = prepare("SELECT at FROM starts WHERE at > ?1 AND at <= ?2 ORDER BY at", operation);
    if (!s) return s.error();
    s->bind(1, to_ms(now - limit.window)).bind(2, to_ms(now));
    std::vector<TimePoint> out;
    for (;;) {
      auto row = s->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(from_ms(s->int64(0)));
    }
    return out;
  }

  core::Expected<TimePoint> next_start(const config::RateLimit& limit, TimePoint now,
                                       const std::string& operation) {
    auto starts = starts_in_window(limit, now, operation);
    if (!starts) return starts.error();
    if (limit.count == 0 || starts->size() < limit.count) return now;
    // The start that must leave the window before another one fits.
    const auto& oldest = (*starts)[starts->size() - limit.count];
    // The window is (now - window, now]: the start at `oldest` is out of it one tick later.
    return std::chrono::time_point_cast<TimePoint::duration>(oldest + limit.window);
  }
};

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

const std::filesystem::path& Journal::file() const {
  return impl_->file;
}

core::Expected<Journal> Journal::open(const std::filesystem::path& file) {
  return open(file, Options{});
}

core::Expected<Journal> Journal::open(const std::filesystem::path& file, Options options) {
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(file, ec)) {
    return core::make_error(core::ErrorKind::not_found, "no journal at " + file.string(), kSystem, "open");
  }
  if (options.create && file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      return core::make_error(
          core::ErrorKind::critical,
          "cannot create the state directory " + file.parent_path().string() + ": " + ec.message(), kSystem,
          "open");
    }
  }
  auto db = sqlite::Connection::open(file, {options.create, options.busy_timeout});
  if (!db) return db.error();
  // A damaged file is found here, named, before anything is written to it.
  {
    auto check = db->prepare("PRAGMA quick_check", "check the journal");
    if (!check) return check.error();
    auto row = check->step();
    if (!row) return row.error();
    if (*row && check->text(0) != "ok") {
      return core::make_error(core::ErrorKind::critical,
                              "the journal " + file.string() + " is damaged (" + check->text(0) +
                                  "): move it aside and restore a copy",
                              kSystem, "check the journal");
    }
  }
  // WAL: readers never wait for the writer; FULL: every commit is fsynced, so
  // an answered request survives a power cut, not only a killed process.
  {
    auto wal = db->prepare("PRAGMA journal_mode = WAL", "set WAL mode");
    if (!wal) return wal.error();
    auto row = wal->step();
    if (!row) return row.error();
    if (!*row || wal->text(0) != "wal") {
      return core::make_error(core::ErrorKind::critical,
                              "the journal " + file.string() + " cannot use WAL mode (got '" +
                                  (*row ? wal->text(0) : std::string()) + "')",
                              kSystem, "set WAL mode");
    }
  }
  auto pragmas = db->exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "set the journal's pragmas");
  if (!pragmas) return pragmas.error();
  auto migrated = migrate(*db);
  if (!migrated) return migrated.error();
  auto impl = std::make_unique<Impl>(Impl{std::move(*db), file});
  return Journal(std::move(impl));
}

core::Expected<int> Journal::schema_version() {
  return user_version(impl_->db);
}

core::Expected<Journal::Pragmas> Journal::pragmas() {
  Pragmas p;
  const auto read = [this](const char* sql) -> core::Expected<std::string> {
    auto s = impl_->prepare(sql, "read the journal's pragmas");
    if (!s) return s.error();
    auto row = s->step();
    if (!row) return row.error();
    return *row ? s->text(0) : std::string();
  };
  const auto read_int = [this](const char* sql) -> core::Expected<std::int64_t> {
    auto s = impl_->prepare(sql, "read the journal's pragmas");
    if (!s) return s.error();
    auto row = s->step();
    if (!row) return row.error();
    return *row ? s->int64(0) : 0;
  };
  auto mode = read("PRAGMA journal_mode");
  if (!mode) return mode.error();
  auto sync = read_int("PRAGMA synchronous");
  if (!sync) return sync.error();
  auto fk = read_int("PRAGMA foreign_keys");
  if (!fk) return fk.error();
  auto busy = read_int("PRAGMA busy_timeout");
  if (!busy) return busy.error();
  p.journal_mode = *mode;
  p.synchronous = static_cast<int>(*sync);
  p.foreign_keys = *fk == 1;
  p.busy_timeout_ms = static_cast<int>(*busy);
  return p;
}

core::Expected<Admission> Journal::admit(const NewRequest& request, TimePoint now) {
  const std::string op = "admit " + request.target.image + ":" + request.target.tag;
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto a = impl_->admit_in(request, now, op);
  if (!a) return a;
  auto committed = tx->commit();
  if (!committed) return committed.error();
  return a;
}

std::vector<core::Expected<Admission>> Journal::admit_many(const std::vector<Admit>& requests) {
  std::vector<core::Expected<Admission>> out;
  if (requests.empty()) return out;
  const std::string op = "admit " + std::to_string(requests.size()) + " requests";
  {
    auto tx = sqlite::Transaction::begin(impl_->db, op);
    bool whole = tx.has_value();
    for (std::size_t i = 0; whole && i < requests.size(); ++i) {
      auto a = impl_->admit_in(requests[i].request, requests[i].now, op);
      whole = a.has_value();
      out.push_back(std::move(a));
    }
    if (whole) {
      auto committed = tx->commit();
      if (committed) return out;
    }
  }  // a failed batch rolls back whole: nothing of it is on disk
  // One by one, so each request gets its own answer (a disk that is full
  // fails them all; a request that alone fails does not take the others down).
  out.clear();
  for (const auto& r : requests) out.push_back(admit(r.request, r.now));
  return out;
}

core::Expected<RequestId> Journal::record_refused(const NewRequest& request, const std::string& outcome,
                                                  const std::string& reason, TimePoint now) {
  const std::string op = "record refused " + request.target.image + ":" + request.target.tag;
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto id = impl_->insert(request, now, "done", outcome, reason, op);
  if (!id) return id.error();
  auto committed = tx->commit();
  if (!committed) return committed.error();
  return *id;
}

core::Expected<std::vector<RequestRecord>> Journal::queued() {
  return impl_->requests("WHERE state = 'queued' ORDER BY id", std::nullopt, "list queued requests");
}

core::Expected<TimePoint> Journal::next_start(const config::RateLimit& limit, TimePoint now) {
  return impl_->next_start(limit, now, "read the rate-limit window");
}

core::Expected<Start> Journal::begin(RequestId id, const config::RateLimit& limit, TimePoint now) {
  const std::string op = "start request " + std::to_string(id);
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto r = impl_->request(id, op);
  if (!r) return r.error();
  if (r->state != RequestState::queued) {
    return core::make_error(
        core::ErrorKind::conflict,
        "request " + std::to_string(id) + " is " + std::string(to_string(r->state)) + ", not queued", kSystem,
        op);
  }
  auto next = impl_->next_start(limit, now, op);
  if (!next) return next.error();
  Start start;
  if (*next > now) {
    start.not_before = *next;
    return start;  // the transaction rolls back: nothing changed
  }
  auto add = impl_->prepare("INSERT INTO starts (request_id, at) VALUES (?1, ?2)", op);
  if (!add) return add.error();
  add->bind(1, id).bind(2, to_ms(now));
  auto added = add->run();
  if (!added) return added.error();
  auto mark = impl_->prepare("UPDATE requests SET state = 'running', started_at = ?2 WHERE id = ?1", op);
  if (!mark) return mark.error();
  mark->bind(1, id).bind(2, to_ms(now));
  auto marked = mark->run();
  if (!marked) return marked.error();
  auto committed = tx->commit();
  if (!committed) return committed.error();
  start.started = true;
  start.not_before = now;
  return start;
}

core::Expected<void> Journal::finish(RequestId id, const std::string& outcome, const std::string& reason,
                                     TimePoint now) {
  const std::string op = "finish request " + std::to_string(id);
  auto s = impl_->prepare(
      "UPDATE requests SET state = 'done', outcome = ?2, reason = ?3, finished_at = ?4 WHERE id = ?1 AND "
      "state = 'running'",
      op);
  if (!s) return s.error();
  s->bind(1, id).bind(2, outcome).bind(3, reason).bind(4, to_ms(now));
  auto ran = s->run();
  if (!ran) return ran.error();
  if (impl_->db.changes() == 0) {
    auto r = impl_->request(id, op);
    if (!r) return r.error();
    return core::make_error(
        core::ErrorKind::conflict,
        "request " + std::to_string(id) + " is " + std::string(to_string(r->state)) + ", not running",
        kSystem, op);
  }
  return core::ok();
}

core::Expected<void> Journal::append(RequestId id, const std::vector<Checkpoint>& checkpoints) {
  const std::string op = "checkpoint request " + std::to_string(id);
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto r = impl_->request(id, op);
  if (!r) return r.error();
  if (r->state != RequestState::running) {
    return core::make_error(core::ErrorKind::conflict,
                            "request " + std::to_string(id) + " is " + std::string(to_string(r->state)) +
                                ": only a running saga has checkpoints",
                            kSystem, op);
  }
  auto last = impl_->prepare("SELECT coalesce(max(seq), 0) FROM checkpoints WHERE request_id = ?1", op);
  if (!last) return last.error();
  last->bind(1, id);
  auto row = last->step();
  if (!row) return row.error();
  std::int64_t seq = *row ? last->int64(0) : 0;
  auto add = impl_->prepare(
      "INSERT INTO checkpoints (request_id, seq, step, kind, detail, sha, evidence, error, at, outcome) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
      op);
  if (!add) return add.error();
  for (const auto& c : checkpoints) {
    add->bind(1, id).bind(2, ++seq).bind(3, stored_name(c.step)).bind(4, stored_name(c.kind));
    add->bind(5, c.detail)
        .bind(6, c.sha)
        .bind(7, join_evidence(c.evidence))
        .bind(8, c.error)
        .bind(9, to_ms(c.at))
        .bind(10, c.outcome);
    auto ran = add->run();
    if (!ran) return ran.error();
    auto reset = add->reset();
    if (!reset) return reset.error();
  }
  return tx->commit();
}

core::Expected<std::vector<Unfinished>> Journal::unfinished() {
  const std::string op = "list unfinished sagas";
  auto running = impl_->requests("WHERE state = 'running' ORDER BY id", std::nullopt, op);
  if (!running) return running.error();
  std::vector<Unfinished> out;
  for (auto& r : *running) {
    auto cps = impl_->checkpoints(r.id, op);
    if (!cps) return cps.error();
    out.push_back(Unfinished{std::move(r), resume_point(*cps)});
  }
  return out;
}

core::Expected<Hold> Journal::hold(const Hold& hold) {
  const std::string op = "hold " + hold.target.image + ":" + hold.target.tag;
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto existing = impl_->active_hold(hold.target, op);
  if (!existing) return existing.error();
  if (*existing) return std::move(**existing);
  auto s = impl_->prepare(
      "INSERT INTO holds (image, tag, held_at, reason, request_id) VALUES (?1, ?2, ?3, ?4, ?5)", op);
  if (!s) return s.error();
  s->bind(1, hold.target.image).bind(2, hold.target.tag).bind(3, to_ms(hold.held_at)).bind(4, hold.reason);
  s->bind(5, hold.request);
  auto ran = s->run();
  if (!ran) return ran.error();
  auto committed = tx->commit();
  if (!committed) return committed.error();
  return hold;
}

core::Expected<std::vector<Hold>> Journal::holds() {
  auto s = impl_->prepare(
      "SELECT image, tag, held_at, reason, request_id FROM holds WHERE released_at IS NULL ORDER BY held_at, "
      "id",
      "list holds");
  if (!s) return s.error();
  std::vector<Hold> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(Hold{{s->text(0), s->text(1)}, from_ms(s->int64(2)), s->text(3), s->optional_int64(4)});
  }
  return out;
}

core::Expected<std::optional<Hold>> Journal::find_hold(const Target& target) {
  return impl_->active_hold(target, "find hold " + target.image + ":" + target.tag);
}

core::Expected<Hold> Journal::release(const Target& target, TimePoint now) {
  const std::string op = "release " + target.image + ":" + target.tag;
  auto tx = sqlite::Transaction::begin(impl_->db, op);
  if (!tx) return tx.error();
  auto existing = impl_->active_hold(target, op);
  if (!existing) return existing.error();
  if (!*existing) {
    return core::make_error(core::ErrorKind::not_found, "no hold on " + target.image + ":" + target.tag,
                            kSystem, op);
  }
  auto s = impl_->prepare(
      "UPDATE holds SET released_at = ?3 WHERE image = ?1 AND tag = ?2 AND released_at IS NULL", op);
  if (!s) return s.error();
  s->bind(1, target.image).bind(2, target.tag).bind(3, to_ms(now));
  auto ran = s->run();
  if (!ran) return ran.error();
  auto committed = tx->commit();
  if (!committed) return committed.error();
  return std::move(**existing);
}

core::Expected<std::vector<RequestRecord>> Journal::list(std::size_t limit) {
  return impl_->requests("ORDER BY id DESC", static_cast<std::int64_t>(limit), "list upgrades");
}

core::Expected<Upgrade> Journal::find(RequestId id) {
  const std::string op = "read upgrade " + std::to_string(id);
  auto r = impl_->request(id, op);
  if (!r) return r.error();
  auto cps = impl_->checkpoints(id, op);
  if (!cps) return cps.error();
  return Upgrade{std::move(*r), std::move(*cps)};
}

}  // namespace ua::store
