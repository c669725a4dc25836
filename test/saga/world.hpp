#pragma once
// A saga's whole world made of port doubles over a generated sample repo: the
// clone is a folder, CI "applies" a commit by setting the tag the fake pods run.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>

#include "support/port_doubles.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/adapters/git/message.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/plan/backup.hpp"
#include "upgrade_agent/plan/decision.hpp"
#include "upgrade_agent/plan/messages.hpp"
#include "upgrade_agent/saga/saga.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"
#include "upgrade_agent/terraform/config_changes.hpp"

namespace ua::test {

// The decision with a scripted risk and stops, built with plan's own message
// functions (the real decision is tested in test/plan and in test/e2e).
class ScriptedDecider final : public saga::Decider {
 public:
  core::Risk risk = core::Risk::safe;
  std::vector<std::string> stops;  // image tags of intermediate stops; the target is always last
  std::optional<core::Error> fail;
  std::chrono::milliseconds delay{0};
  unsigned asked = 0;
  // Release notes of the target: its config changes are found as plan's
  // decision finds them, in the files the saga read.
  std::optional<core::Changelog> notes;
  std::optional<plan::DecisionRequest> last;
  std::function<void()> on_decide;  // runs once the request is in (the remote moving meanwhile)
  plan::RegistryCheck registry;  // what the registry said (default: unchecked, no note)
  std::map<std::string, terraform::PinMove> pins;  // every step's pins
  std::vector<std::string> pins_asked;             // the request's pins, as the saga sent them

  asio::awaitable<core::Expected<plan::Decision>> decide(plan::DecisionRequest r, core::Deadline deadline) override {
    ++asked;
    last = r;
    if (on_decide) on_decide();
    const bool waited = co_await pause(delay, deadline);
    if (!waited) co_return cancelled("github");
    if (fail) co_return *fail;
    pins_asked = r.pins;
    plan::Decision p;
    p.registry = registry;
    if (registry.target == plan::TargetState::missing) co_return p;
    p.risk.risk = risk;
    p.backup = plan::backup_plan(r.config, r.stack, r.namespace_name, risk);
    auto all = stops;
    all.push_back(r.target_tag);
    std::string from = r.current_tag;
    for (const auto& to : all) {
      plan::Step s;
      s.from = from;
      s.to = to;
      adapters::git::UpgradeMessage m;
      m.stack = r.stack;
      m.old_version = from;
      m.new_version = to;
      m.risk = std::string(core::to_string(risk));
      m.db_backup = p.backup.commit_line;
      if (notes && to == r.target_tag) {
        s.config_changes = terraform::find_config_changes(*notes, r.config_files, r.apply_config_changes);
        m.config_changes = s.config_changes.applied_lines();
        m.flagged_for_review = s.config_changes.flagged_lines();
      }
      auto text = adapters::git::build_upgrade_message(m);
      if (!text) co_return text.error();
      s.commit_message = std::move(*text);
      s.slack_starting = plan::slack_starting_text(r.stack, from, to, p.risk);
      s.pins = pins;
      p.steps.push_back(s);
      from = to;
    }
    co_return p;
  }
};

class RecordingObserver final : public saga::Observer {
 public:
  std::vector<saga::Event> events;
  void on_event(const saga::Event& e) override { events.push_back(e); }
  [[nodiscard]] std::size_t count(saga::EventKind kind) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [kind](const saga::Event& e) { return e.kind == kind; }));
  }
};

struct World {
  asio::io_context io;
  runtime::BlockingPool pool{2};
  ScratchDir dir{"ua-saga-"};
  config::UpgradeConfig config;
  FakeClone git{pool, dir.path()};
  FakeCi ci;
  FakeCluster cluster;
  FakeHttp http;
  FakeMonitors monitors;
  FakeNotifier notifier;
  ScriptedDecider decider;
  saga::StackLocks locks{io.get_executor()};
  RecordingObserver observer;
  saga::Timing timing;
  std::vector<std::string> applied;  // tags CI applied, in order
  std::function<void(const std::string& tag)> on_applied;  // after CI applied a commit

  explicit World(const std::string& image = "vaultwarden/server", const std::string& tag = "1.35.4",
                 const std::string& app = "vaultwarden") {
    sandbox::generate_sample_repo(dir.path());
    auto loaded = config::parse_upgrade_config(sandbox::seed_upgrade_config());
    config = *loaded.config;
    cluster.image = image;
    cluster.running_tag = tag;
    cluster.app = app;
    cluster.hosts = {app + ".example.org"};
    cluster.cronjobs["dbaas"] = {"postgresql-backup", "mysql-backup"};
    cluster.cronjobs["immich"] = {"postgresql-backup"};  // the seed config's dedicated immich database
    applied.push_back(tag);
    // CI applies what the commit says: the pods then run that tag (or, for a
    // revert, the tag before it).
    ci.on_finished = [this](const std::string& sha, ports::CiState state) {
      if (state != ports::CiState::success) return;
      const auto* c = git.find(sha);
      if (!c) return;
      if (c->reverts) {
        if (applied.size() > 1) applied.pop_back();
      } else {
        const auto subject = c->message.substr(0, c->message.find('\n'));
        std::string moved = subject.substr(subject.rfind(' ') + 1);
        for (const auto& sidecar : cluster.sidecars) {
          const auto& suffix = sidecar.second;
          if (!suffix.empty() && moved.size() > suffix.size() && moved.ends_with(suffix)) {
            moved.resize(moved.size() - suffix.size());
          }
        }
        applied.push_back(moved);
      }
      cluster.running_tag = applied.back();
      if (on_applied) on_applied(cluster.running_tag);
    };
    timing.ceiling = std::chrono::seconds(20);
    timing.ci_timeout = std::chrono::seconds(5);
    timing.verify_window_safe = std::chrono::milliseconds(300);
    timing.verify_window_caution = std::chrono::milliseconds(500);
    timing.rollback_window = std::chrono::milliseconds(200);
    timing.check_interval = std::chrono::milliseconds(100);
    timing.backup_timeout = std::chrono::seconds(2);
    timing.push_reserve = std::chrono::seconds(2);
    timing.report_reserve = std::chrono::seconds(1);
    timing.lookup_timeout = std::chrono::seconds(2);
  }

  saga::Ports ports() { return saga::Ports{git, ci, cluster, http, monitors, notifier, decider, pool, locks}; }

  static saga::Job job(const std::string& image, const std::string& tag, std::string id = "job-1") {
    saga::Job j;
    j.id = std::move(id);
    j.image = *core::parse_image_ref(image);
    j.target_tag = tag;
    return j;
  }

  // Runs one saga to its end on the event loop.
  saga::Result run(const saga::Job& job) {
    std::optional<saga::Result> result;
    saga::Context ctx{config, config::StepMode::stops, timing};
    auto body = [&]() -> asio::awaitable<void> { result = co_await saga::run_upgrade(ports(), ctx, job, observer); };
    asio::co_spawn(io, body(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
    io.restart();
    return *result;
  }

  [[nodiscard]] std::string file(const std::string& rel) const { return read_file(dir.path() / rel); }
};

}  // namespace ua::test
