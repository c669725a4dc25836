#pragma once
// Step 9 against Woodpecker's REST API (servers v2 and v3): find the pipeline
// of a pushed commit and wait for the configured workflow's own `state`. The
// pipeline's overall `status` is never read for the verdict: it is the worst
// workflow's, so an unrelated `build-cli` failing would fail the upgrade.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/ci.hpp"

namespace ua::adapters::woodpecker {

struct Options {
  std::string url;                 // WOODPECKER_URL: the server's root (a path prefix is kept)
  std::string token;               // WOODPECKER_API_TOKEN; empty: anonymous (public repositories)
  std::string repo;                // WOODPECKER_REPO: "owner/name" or the numeric id
  std::string workflow = "default";  // WOODPECKER_WORKFLOW
  std::chrono::milliseconds poll_interval = std::chrono::seconds(30);  // UPGRADE_AGENT_CI_POLL_INTERVAL
  // How far back the pipeline list is searched, from the moment the wait
  // began: a saga lives at most UPGRADE_AGENT_CEILING (30m), so its commit was
  // pushed less than that before any wait; the rest covers clock skew
  // between the agent and the server.
  std::chrono::seconds lookback = std::chrono::hours(1);
  unsigned max_pages = 20;          // per search, 50 pipelines each
  unsigned max_failed_polls = 3;    // polls in a row without an answer before giving up
  std::chrono::milliseconds request_timeout = std::chrono::seconds(60);
};

Options options_from(const config::Settings& settings);

// --- The answers, as far as the adapter reads them (public for tests) -------

// Unix seconds, 0 when the server has none yet. v2 spells them created_at,
// started_at, finished_at (workflows: start_time, end_time); v3 created,
// started, finished.
struct Times {
  std::int64_t created = 0;
  std::int64_t started = 0;
  std::int64_t finished = 0;
};

struct ListedPipeline {  // one entry of GET /api/repos/{id}/pipelines
  std::int64_t number = 0;
  std::string commit;
  std::string event;  // "push", "cron", "manual", ...; may be absent
  Times times;
};

struct Workflow {
  std::string name;
  std::string state;
  std::string error;
  Times times;  // created stays 0: workflows have none
};

struct Pipeline {  // GET /api/repos/{id}/pipelines/{number}
  std::int64_t number = 0;
  std::string commit;
  std::string status;  // the worst workflow's: shown, never decided on
  std::string event;
  Times times;
  std::vector<Workflow> workflows;
  std::vector<std::string> errors;  // the pipeline's own errors (a broken config)
};

// Malformed JSON or a wrong shape (no number, a state that is not a string)
// is an error; unknown fields are ignored.
core::Expected<std::vector<ListedPipeline>> parse_pipeline_list(std::string_view body);
core::Expected<Pipeline> parse_pipeline(std::string_view body);
core::Expected<std::int64_t> parse_repo_id(std::string_view body);  // the lookup's "id"

enum class StateClass {
  success,
  failed,   // failure, error, killed, declined, canceled (v3.14+)
  skipped,
  waiting,  // pending, running, blocked, created
  unknown,  // a value this adapter does not know: waited on like `waiting`
};
StateClass classify(std::string_view state);

// "owner/name" or a positive number; anything else is refused before it is
// put into a URL.
struct RepoRef {
  std::optional<std::int64_t> id;
  std::string owner;
  std::string name;
  [[nodiscard]] std::string describe() const;
};
core::Expected<RepoRef> parse_repo_ref(std::string_view text);

// "2026-04-16 16:35:02 UTC", or "-" for 0.
std::string format_time(std::int64_t unix_seconds);

// --- The adapter ------------------------------------------------------------

class Client final : public ports::Ci {
 public:
  Client(net::Client& http, Options options);

  // Finds the newest push pipeline of `commit` (full or abbreviated, at least
  // 7 hex digits), looking again every poll interval until it appears, then
  // polls it until the configured workflow is terminal. Progress is reported
  // on each change of what is seen, not on every poll. Errors, system
  // "woodpecker": bad_input (settings, commit), unavailable (401: the token
  // was rejected; the server failing), not_found (repository, workflow),
  // timeout (saying what was still awaited), cancelled.
  boost::asio::awaitable<core::Expected<ports::CiOutcome>> wait_for_commit(std::string commit,
                                                                           core::Deadline deadline,
                                                                           ports::CiProgress progress) override;

  // The numeric repository id, looked up once and cached.
  boost::asio::awaitable<core::Expected<std::int64_t>> repo_id(core::Deadline deadline);

  [[nodiscard]] std::size_t requests() const { return requests_; }
  [[nodiscard]] const Options& options() const { return options_; }

  // An error, and whether another poll may see it go away (the network, a 5xx).
  struct Failure {
    core::Error error;
    bool transient = false;
  };
  template <class T>
  using Try = core::Expected<T, Failure>;
  struct Search {
    std::optional<ListedPipeline> found;
    std::int64_t newest = 0;  // the highest pipeline number seen (page 1's first)
    unsigned pages = 0;
  };

 private:
  boost::asio::awaitable<Try<net::Response>> get(std::string path, core::Deadline deadline);
  boost::asio::awaitable<Try<std::int64_t>> lookup(core::Deadline deadline);
  boost::asio::awaitable<Try<Search>> search(std::int64_t repo, std::string commit, std::int64_t newest_seen,
                                             std::int64_t cutoff, core::Deadline deadline);
  boost::asio::awaitable<Try<Pipeline>> fetch_pipeline(std::int64_t repo, std::int64_t number,
                                                       core::Deadline deadline);
  boost::asio::awaitable<core::Expected<ports::CiOutcome>> wait(std::string commit, core::Deadline deadline,
                                                                ports::CiProgress progress);
  [[nodiscard]] Failure fail(core::ErrorKind kind, std::string message, std::string operation,
                             bool transient = false) const;
  [[nodiscard]] std::string scrub(std::string text) const;
  [[nodiscard]] std::string host() const;
  void note_unknown(std::string_view state);

  net::Client& http_;
  Options options_;
  std::optional<std::int64_t> repo_id_;
  std::set<std::string, std::less<>> unknown_logged_;
  std::size_t requests_ = 0;
};

}  // namespace ua::adapters::woodpecker
