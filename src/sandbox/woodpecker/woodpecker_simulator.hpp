#pragma once
// A Woodpecker server simulator (../shared/contracts/woodpecker-*.json and
// the real server's routes, pagination and auth): repository lookup, the
// pipeline list (newest first, `page` and `perPage` at most 50, no
// workflows) and one pipeline with its workflows, in the v2 or the v3 shape.
// Each pipeline follows a script: the states its workflows show, one step
// per read of the pipeline, so a test or the sandbox decides how CI ends.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::woodpecker {

// v2: created_at/started_at/finished_at (workflows start_time/end_time);
// v3: created/started/finished.
enum class ApiVersion { v2, v3 };

struct WorkflowScript {
  std::string name = "default";
  // The state on each read of the pipeline (GET .../pipelines/{number}),
  // one step per read; the last one stays.
  std::vector<std::string> states;
  std::string error;  // shown with a failure or error state
};

struct PipelineScript {
  std::string commit;
  std::string event = "push";
  std::string branch = "master";
  std::string message = "upgrade";
  std::string author = "Service Upgrade Agent";
  // When > 0, the pipeline is created on the Nth pipeline-list request from
  // now (a forge webhook that arrives late); 0: at once.
  unsigned appear_after_lists = 0;
  std::vector<WorkflowScript> workflows;
  std::string status_without_workflows = "error";  // a pipeline whose config did not parse
  std::vector<std::string> errors;                 // the pipeline's own errors (`errors[].message`)
};

// Ready-made scripts (workflow `default` unless said).
PipelineScript succeeds(std::string commit, unsigned running_reads = 1);
PipelineScript fails(std::string commit, std::string state = "failure", unsigned running_reads = 1);
PipelineScript never_finishes(std::string commit);
PipelineScript slow(std::string commit, unsigned running_reads);  // pending, running x N, success
PipelineScript appears_late(PipelineScript script, unsigned list_requests);
// default succeeds while build-cli fails: the pipeline's status is failure.
PipelineScript unrelated_failure(std::string commit);
PipelineScript canceled(std::string commit);  // v3.14+: canceled before it ran
// `state` (a value no server version has) for `reads` reads, then `then`.
PipelineScript unknown_state(std::string commit, std::string state, unsigned reads, std::string then = "success");

struct Options {
  ApiVersion version = ApiVersion::v3;
  std::string token = "wp-sandbox-token";  // required as "Bearer <token>"; empty: any request passes
  std::string owner = "ViktorBarzin";
  std::string name = "infra";
  std::int64_t repo_id = 1;
  std::int64_t first_number = 4300;  // the number the first pipeline gets
};

// Trouble on demand, for the API routes (not /version).
struct Faults {
  unsigned server_errors = 0;           // the next N requests answer 500
  unsigned malformed = 0;               // the next N answers of 200 are cut short (broken JSON)
  std::chrono::milliseconds delay{0};   // every answer this late
};

struct LoggedRequest {
  std::string method;
  std::string target;  // path and query as received
  std::string path;
  bool authorized = false;  // sent the right bearer token (the token itself is not kept)
  std::optional<std::string> authorization_scheme;  // "Bearer", ... when a header came
  int status = 0;
};

struct WorkflowView {
  std::string name;
  std::string state;
};

struct PipelineView {
  std::int64_t number = 0;
  std::string commit;
  std::string event;
  std::string status;  // the worst workflow's, as the server computes it
  bool finished = false;
  std::vector<WorkflowView> workflows;
};

class Simulator {
 public:
  Simulator(boost::asio::any_io_executor executor, Options options = {}, net::ServerOptions server = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;  // WOODPECKER_URL
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string repo() const;  // WOODPECKER_REPO: "owner/name"
  Options& options();                      // may be changed between requests (token, version)
  Faults& faults();

  // A pipeline for a commit, now or after its appear_after_lists. Returns the
  // number it got, or 0 when it appears later.
  std::int64_t add_pipeline(PipelineScript script);
  // `count` finished pipelines of other commits (a busy repository), newest
  // last, created `age` ago.
  void add_unrelated(std::size_t count, std::string state = "success",
                     std::chrono::seconds age = std::chrono::seconds(0));
  // A push of `commit` reached the forge: the pipeline the push hook makes
  // (default: succeeds). The sandbox calls this after each push.
  std::int64_t pushed(std::string commit);
  void on_push(std::function<PipelineScript(const std::string& commit)> hook);
  // Called once per pipeline when its last workflow reaches a terminal state
  // (on the read that shows it): where "CI applies" a commit.
  void on_finished(std::function<void(const PipelineView&)> hook);
  // Called before every pipeline-list answer: where a sandbox that watches a
  // git remote turns pushes it has not seen yet into pipelines (a forge's
  // push webhook, delivered by the time anyone looks).
  void before_list(std::function<void()> hook);

  [[nodiscard]] std::vector<PipelineView> pipelines() const;  // newest first
  [[nodiscard]] std::optional<PipelineView> pipeline_of(std::string_view commit) const;
  [[nodiscard]] const std::vector<LoggedRequest>& log() const;
  [[nodiscard]] std::size_t count(std::string_view path_prefix) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::woodpecker
