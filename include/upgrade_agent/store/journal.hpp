#pragma once
// The daemon's journal (SQLite in WAL mode, synchronous=FULL: a call that
// returns has reached the disk): the request queue, each saga's checkpoints,
// holds on targets that were rolled back, the rate-limit window and the
// history behind GET /v1/upgrades.
//
// Every call blocks (disk I/O, fsync, waiting for another writer up to the
// busy timeout). Never call a Journal on the event loop: use AsyncJournal
// (store/async_journal.hpp), which runs each call on the blocking pool, one
// at a time. A Journal is one connection and is used by one thread at a time.
//
// Images are stored as core::ImageRef::name() ("docker.io/library/alpine"),
// so `alpine` and `docker.io/library/alpine` are one target. Times are wall
// clock (system_clock) and are always passed in, so tests choose them.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/saga/events.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::store {

using TimePoint = std::chrono::system_clock::time_point;
using RequestId = std::int64_t;

// "2026-12-02T14:28:04Z" (UTC, whole seconds), as in messages and the API.
std::string format_time(TimePoint at);

inline constexpr int kSchemaVersion = 4;
inline constexpr const char* kJournalFile = "journal.sqlite3";
// <state_dir>/journal.sqlite3
std::filesystem::path journal_path(const std::filesystem::path& state_dir);

// Same image and tag queued, running, or done less than this long ago: a duplicate.
inline constexpr std::chrono::hours kDuplicateWindow{24};

enum class RequestState { queued, running, done };
std::string_view to_string(RequestState state) noexcept;

struct Target {
  std::string image;  // core::ImageRef::name()
  std::string tag;
};

// DIUN's Kubernetes provider says where it saw the image (metadata's
// pod_namespace and ctn_name); "" when it did not say. For the report only.
struct SeenIn {
  std::string pod_namespace;
  std::string container;
  [[nodiscard]] bool empty() const { return pod_namespace.empty() && container.empty(); }
};

struct NewRequest {
  Target target;
  std::string hub_link;
  std::string source;  // "diun", "api", "batch", "cli"
  SeenIn seen_in;
};

struct RequestRecord {
  RequestId id = 0;
  Target target;
  std::string hub_link;
  std::string source;
  SeenIn seen_in;
  TimePoint received_at;
  RequestState state = RequestState::queued;
  std::string outcome;  // saga::to_string(Outcome), "held", ... once done
  std::string reason;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
};

struct Hold {
  Target target;
  TimePoint held_at;
  std::string reason;
  std::optional<RequestId> request;  // the request that was rolled back, when known
};
// "held: rolled back on 2026-12-02T14:28:04Z: <reason>"
std::string held_message(const Hold& hold);

struct Admission {
  enum class Verdict {
    accepted,   // queued; answer 202 with the id
    duplicate,  // the same target is queued, running or was done within a day: answer 200 with `id`, nothing
                // new
    held,       // recorded as done (outcome "held") and not to be run: answer 200 with the hold's message
  };
  Verdict verdict = Verdict::accepted;
  RequestId id = 0;
  std::optional<Hold> hold;
};

// The names the journal (and the API) uses for steps and event kinds
// ("publish", "about_to_push"): part of the file format, never the display names.
std::string_view stored_name(saga::Step step) noexcept;
std::string_view stored_name(saga::EventKind kind) noexcept;

// One saga event as journalled. `seq` orders a request's checkpoints.
struct Checkpoint {
  std::int64_t seq = 0;
  saga::Step step = saga::Step::locate;
  saga::EventKind kind = saga::EventKind::progress;
  std::string detail;
  std::string sha;
  std::vector<std::string> evidence;
  std::string error;  // Error::describe() for failed / report_failed
  std::string outcome;  // about_to_report: saga::to_string(Outcome)
  TimePoint at;
};
Checkpoint checkpoint_of(const saga::Event& event, TimePoint at);

// Where an unfinished saga stands, from its checkpoints (issue 12's list).
enum class ResumePoint {
  not_yet_pushed,          // nothing reached the remote: start over
  about_to_push,           // a push may or may not have landed: look on the remote before pushing again
  pushed,                  // the upgrade commit `upgrade_sha` is on the remote: find its CI run and continue
  rolled_back_unverified,  // the revert `revert_sha` is pushed: verify it
  report_not_sent,         // the outcome is settled, the final report is not delivered: send it
  report_sent,             // the final report went out: only the outcome remains to be recorded
};
std::string_view to_string(ResumePoint point) noexcept;

struct Resume {
  ResumePoint point = ResumePoint::not_yet_pushed;
  saga::Step step = saga::Step::locate;  // about_to_push: publish (the upgrade) or roll_back (the revert)
  std::string subject;                   // about_to_push: the commit's subject
  std::string upgrade_subject;           // the last upgrade commit announced
  std::string upgrade_sha;               // the last upgrade commit pushed (the revert's target)
  std::string revert_sha;
  std::string failure;      // the last failed check or wait, for the rollback's report
  std::string report_text;  // the final report last announced (about_to_report)
  std::string outcome;      // what it tells
  std::int64_t last_seq = 0;  // 0: no checkpoint at all
};
// What the saga needs to go on from `resume` (nullopt: start over, or, for
// report_sent, nothing left to run).
std::optional<saga::Resume> saga_resume(const Resume& resume);
// Pure: the resume point of a saga whose checkpoints, in order, are `checkpoints`.
Resume resume_point(const std::vector<Checkpoint>& checkpoints);

struct Unfinished {
  RequestRecord request;
  Resume resume;
};

struct Upgrade {
  RequestRecord request;
  std::vector<Checkpoint> steps;
};

// begin(): either the saga may start now (the start is recorded and counts
// against the window) or it must wait until `not_before`; it stays queued.
struct Start {
  bool started = false;
  TimePoint not_before;  // when !started
};

class Journal {
 public:
  struct Options {
    bool create = true;  // false: a missing journal is not_found (the CLI never makes one)
    std::chrono::milliseconds busy_timeout = std::chrono::seconds(5);
  };

  // Opens (or creates) the file, checks it (quick_check), sets WAL,
  // synchronous=FULL, foreign keys and the busy timeout, and migrates the
  // schema to kSchemaVersion. A damaged or unwritable file is critical and
  // named; a schema newer than this program's is refused.
  static core::Expected<Journal> open(const std::filesystem::path& file, Options options);
  static core::Expected<Journal> open(const std::filesystem::path& file);

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  ~Journal();

  [[nodiscard]] const std::filesystem::path& file() const;
  core::Expected<int> schema_version();

  // What the connection runs with (for /readyz and the tests).
  struct Pragmas {
    std::string journal_mode;  // "wal"
    int synchronous = 0;       // 2: FULL
    bool foreign_keys = false;
    int busy_timeout_ms = 0;
  };
  core::Expected<Pragmas> pragmas();

  // Intake, in one transaction: an active hold on the exact target refuses
  // it (recorded as done, outcome "held"); else a duplicate answers the
  // existing id; else it is queued.
  core::Expected<Admission> admit(const NewRequest& request, TimePoint now);
  // Several admits in one transaction (one fsync: the intake's group commit),
  // in order, so a later one sees an earlier one as its duplicate. Answers in
  // the same order. When the transaction fails, each is retried alone, so a
  // request is answered accepted only once its own commit is on disk.
  struct Admit {
    NewRequest request;
    TimePoint now;
  };
  std::vector<core::Expected<Admission>> admit_many(const std::vector<Admit>& requests);
  // Records a request that will not run (a policy refusal, an ignored status) as done.
  core::Expected<RequestId> record_refused(const NewRequest& request, const std::string& outcome,
                                           const std::string& reason, TimePoint now);

  // Queued requests, oldest first.
  core::Expected<std::vector<RequestRecord>> queued();
  // Moves a queued request to running when the rate limit allows, recording the start.
  core::Expected<Start> begin(RequestId id, const config::RateLimit& limit, TimePoint now);
  // When the next start is allowed by the window (`now` if at once).
  core::Expected<TimePoint> next_start(const config::RateLimit& limit, TimePoint now);
  core::Expected<void> finish(RequestId id, const std::string& outcome, const std::string& reason,
                              TimePoint now);

  // Appends checkpoints to a running request, all in one transaction.
  core::Expected<void> append(RequestId id, const std::vector<Checkpoint>& checkpoints);
  // Running requests (a previous process died with them), oldest first, with where each stands.
  core::Expected<std::vector<Unfinished>> unfinished();

  // Holds. hold() keeps an existing active hold as it is and returns it.
  core::Expected<Hold> hold(const Hold& hold);
  core::Expected<std::vector<Hold>> holds();
  core::Expected<std::optional<Hold>> find_hold(const Target& target);
  // Lifts the active hold on exactly `target`; not_found when there is none.
  core::Expected<Hold> release(const Target& target, TimePoint now);

  // History, newest first.
  core::Expected<std::vector<RequestRecord>> list(std::size_t limit);
  core::Expected<Upgrade> find(RequestId id);

  struct Impl;

 private:
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ua::store
