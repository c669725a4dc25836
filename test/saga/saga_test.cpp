// The saga against port doubles: every path of the seed, asserting what the
// remote holds and what Slack was told, not just the outcome.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

#include "saga/world.hpp"

namespace ua::test {
namespace {

using saga::Outcome;
using namespace std::chrono_literals;

double seconds_since(core::Clock::time_point t) {
  return std::chrono::duration<double>(core::Clock::now() - t).count();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kVaultwardenFile = "stacks/vaultwarden/main.tf";

BOOST_AUTO_TEST_SUITE(saga_paths)

BOOST_AUTO_TEST_CASE(safe_upgrade_commits_waits_verifies_and_reports_success) {
  World w;
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_TEST(saga::exit_code(r.outcome) == 0);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  const auto& c = w.git.commits[0];
  BOOST_TEST(c.message.rfind("upgrade: vaultwarden 1.35.4 -> 1.35.5\n", 0) == 0);
  BOOST_TEST(contains(c.message, "\nRisk: SAFE\n"));
  BOOST_TEST(contains(c.message, "Co-Authored-By: Service Upgrade Agent"));
  BOOST_TEST(contains(w.file(kVaultwardenFile), "vaultwarden/server:1.35.5"));
  BOOST_TEST(!contains(w.file(kVaultwardenFile), "image = \"vaultwarden/server:1.35.4\""));
  // Both stacks that run the image moved in the one commit.
  BOOST_TEST(c.paths.size() >= 2U);
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);
  BOOST_TEST(w.notifier.posted[0] == "[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -> 1.35.5 (risk: SAFE)");
  BOOST_TEST(w.notifier.posted[1].rfind("[Upgrade Agent] SUCCESS: *vaultwarden* upgraded 1.35.4 -> 1.35.5\n", 0) == 0);
  BOOST_TEST(contains(w.notifier.posted[1], "Commit: " + c.sha));
  BOOST_TEST(contains(w.notifier.posted[1], "Verification: pods ready, HTTP OK"));
  BOOST_TEST(w.cluster.pod_lists >= 2U);  // more than one round in the window
  BOOST_TEST(w.observer.count(saga::EventKind::about_to_push) == 1U);
  BOOST_TEST(w.observer.count(saga::EventKind::pushed) == 1U);
}

// DIUN's Kubernetes hints end the final report, after the seed's lines; no
// hints, no line.
BOOST_AUTO_TEST_CASE(the_final_report_ends_with_where_diun_saw_the_image) {
  World w;
  auto job = World::job("vaultwarden/server", "1.35.5");
  job.seen_in = "namespace vaultwarden, container vaultwarden";
  const auto r = w.run(job);
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);
  BOOST_TEST(!contains(w.notifier.posted[0], "Seen by DIUN"));  // the Starting line stays the seed's
  const auto& last = w.notifier.posted[1];
  const std::string line = "\nSeen by DIUN: namespace vaultwarden, container vaultwarden";
  BOOST_TEST((last.size() > line.size() && last.compare(last.size() - line.size(), line.size(), line) == 0), last);

  World without;
  without.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_REQUIRE_EQUAL(without.notifier.posted.size(), 2U);
  BOOST_TEST(!contains(without.notifier.posted[1], "Seen by DIUN"));
}

BOOST_AUTO_TEST_CASE(a_target_the_registry_lacks_is_refused_before_any_report_backup_or_commit) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  w.decider.registry.target = plan::TargetState::missing;
  w.decider.registry.note = "no tag v9.9.9 in ghcr.io/immich-app/immich-server";
  const auto r = w.run(World::job("ghcr.io/immich-app/immich-server", "v9.9.9"));
  BOOST_TEST(to_string(r.outcome) == "refused");
  BOOST_TEST(saga::exit_code(r.outcome) == 5);
  BOOST_TEST(r.reason == "no tag v9.9.9 in ghcr.io/immich-app/immich-server");
  BOOST_TEST(w.git.commits.empty());
  BOOST_TEST(w.notifier.attempted.empty());
  BOOST_TEST(w.cluster.jobs_created.empty());  // immich has a database: no backup either
  BOOST_TEST(w.decider.asked == 1U);
}

// The sample's dns stack: `technitium/dns-server:13.2.1@sha256:...` and a bare `mvance/unbound@sha256:...`.
constexpr const char* kDnsFile = "stacks/dns/main.tf";

std::string pinned_digest_in(const std::string& text) {
  const std::string key = "technitium/dns-server:13.2.1@";
  const auto at = text.find(key);
  BOOST_REQUIRE(at != std::string::npos);
  return text.substr(at + key.size(), 71);
}

BOOST_AUTO_TEST_CASE(a_pin_moves_with_its_tag_and_verification_checks_the_pods_image_digest) {
  World w("technitium/dns-server", "13.2.1", "dns");
  const std::string old_pin = pinned_digest_in(w.file(kDnsFile));
  const std::string new_pin = "sha256:" + std::string(64, 'e');
  w.cluster.running_digest = old_pin;
  w.decider.pins[old_pin] = terraform::PinMove{new_pin, "index of 13.3.0"};
  w.on_applied = [&](const std::string& tag) { w.cluster.running_digest = tag == "13.3.0" ? new_pin : old_pin; };
  const auto r = w.run(World::job("technitium/dns-server", "13.3.0"));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_TEST(w.decider.pins_asked == std::vector<std::string>{old_pin}, boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  const auto text = w.file(kDnsFile);
  BOOST_TEST(contains(text, "image = \"technitium/dns-server:13.3.0@" + new_pin + "\""));
  BOOST_TEST(!contains(text, old_pin));
  BOOST_TEST(contains(text, "mvance/unbound@"));  // the bare digest stays
}

BOOST_AUTO_TEST_CASE(pods_that_pulled_another_digest_than_the_pushed_pin_fail_the_window) {
  World w("technitium/dns-server", "13.2.1", "dns");
  const std::string old_pin = pinned_digest_in(w.file(kDnsFile));
  const std::string new_pin = "sha256:" + std::string(64, 'e');
  w.cluster.running_digest = old_pin;
  w.decider.pins[old_pin] = terraform::PinMove{new_pin, "index of 13.3.0"};
  w.on_applied = [&](const std::string& tag) {
    w.cluster.running_digest = tag == "13.3.0" ? new_pin : old_pin;
    // The kubelet says it pulled something else for the new pin.
    w.cluster.reported_digest = tag == "13.3.0" ? "sha256:" + std::string(64, '9') : "";
  };
  const auto r = w.run(World::job("technitium/dns-server", "13.3.0"));
  BOOST_TEST(to_string(r.outcome) == "rolled back");
  BOOST_TEST(contains(r.reason, "runs sha256:9999"), r.reason);
  BOOST_TEST(contains(r.reason, "not the pushed " + new_pin), r.reason);
  BOOST_TEST(contains(w.file(kDnsFile), "technitium/dns-server:13.2.1@" + old_pin));
}

BOOST_AUTO_TEST_CASE(a_pin_the_registry_cannot_move_is_refused_with_its_reason) {
  World w("technitium/dns-server", "13.2.1", "dns");
  const std::string old_pin = pinned_digest_in(w.file(kDnsFile));
  w.decider.pins[old_pin] = terraform::PinMove{"", "13.3.0's index has no linux/arm64 manifest, the platform pinned now"};
  const auto r = w.run(World::job("technitium/dns-server", "13.3.0"));
  BOOST_TEST(to_string(r.outcome) == "refused");
  BOOST_TEST(contains(r.reason, "no linux/arm64 manifest"), r.reason);
  BOOST_TEST(w.git.commits.empty());
  BOOST_TEST(w.notifier.attempted.empty());
}

BOOST_AUTO_TEST_CASE(policy_refusal_changes_nothing_and_posts_nothing) {
  World w;
  const auto r = w.run(World::job("vaultwarden/server", "1.30.0"));
  BOOST_TEST(to_string(r.outcome) == "refused");
  BOOST_TEST(saga::exit_code(r.outcome) == 5);
  BOOST_TEST(w.git.commits.empty());
  BOOST_TEST(w.notifier.attempted.empty());
  BOOST_TEST(w.decider.asked == 0U);
}

BOOST_AUTO_TEST_CASE(not_referenced_and_already_current_exit_3_and_4) {
  World w;
  const auto nowhere = w.run(World::job("ghcr.io/nobody/nothing", "1.0.0"));
  BOOST_TEST(saga::exit_code(nowhere.outcome) == 3);
  BOOST_TEST(nowhere.stack.empty());  // nothing names the image: no stack to tell
  const auto current = w.run(World::job("vaultwarden/server", "1.35.4"));
  BOOST_TEST(saga::exit_code(current.outcome) == 4);
  BOOST_TEST(current.stack == "vaultwarden");  // the stack, not the image
  BOOST_TEST(w.run(World::job("vaultwarden/server", "1.30.0")).stack == "vaultwarden");  // refused
  BOOST_TEST(w.git.commits.empty());
}

// Regression: a saga that ended while waiting for its stack used to name the
// image where the stack belongs.
BOOST_AUTO_TEST_CASE(a_wait_for_the_stack_that_times_out_names_the_stack) {
  World w;
  w.timing.ceiling = 3500ms;  // the forward path gets 0.5 s after both reserves
  std::optional<saga::StackLocks::Guard> held;
  auto hold = [&]() -> asio::awaitable<void> {
    auto g = co_await w.locks.acquire("vaultwarden", core::Clock::now() + 1s);
    if (g) held = std::move(*g);
  };
  asio::co_spawn(w.io, hold(), asio::detached);
  w.io.run();
  w.io.restart();
  BOOST_REQUIRE(held.has_value());
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "failed");
  BOOST_TEST(r.stack == "vaultwarden");
  BOOST_TEST(w.git.commits.empty());
  BOOST_TEST(w.notifier.attempted.empty());
}

// Issue 9, part 6: a rename the release notes document goes into the upgrade
// commit with the version, and the commit says so.
const std::string kVaultwardenEnv =
    "resource \"kubernetes_config_map\" \"vaultwarden_env\" {\n  data = {\n    DOMAIN = \"https://vw.example\"\n  }\n}\n"
    "resource \"kubernetes_deployment\" \"vaultwarden_admin\" {\n  spec {\n    container {\n      env {\n"
    "        name  = \"SIGNUPS_ALLOWED\"\n        value = \"false\"\n      }\n    }\n  }\n}\n";

core::Changelog vaultwarden_notes() {
  core::ReleaseNote note;
  note.tag = "1.35.5";
  note.body = "## Changes\n- `SIGNUPS_ALLOWED` was renamed to `SIGNUPS_ENABLED`\n- `ADMIN_TOKEN` was renamed to `ADMIN_SECRET`\n";
  core::Changelog log;
  log.releases.push_back(note);
  log.source = "GitHub releases of dani-garcia/vaultwarden";
  return log;
}

BOOST_AUTO_TEST_CASE(config_renames_are_committed_with_the_version) {
  World w;
  write_file(w.dir.path() / "stacks/vaultwarden/env.tf", kVaultwardenEnv);
  w.decider.notes = vaultwarden_notes();
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  // The decision was asked with the stack's files, as plan reads them.
  BOOST_REQUIRE(w.decider.last.has_value());
  const auto& files = w.decider.last->config_files;
  BOOST_TEST(std::any_of(files.begin(), files.end(),
                         [](const terraform::ConfigFile& f) { return f.path == "stacks/vaultwarden/env.tf"; }));
  BOOST_TEST(w.decider.last->apply_config_changes);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  const auto& c = w.git.commits[0];
  BOOST_TEST(contains(c.message, "\nConfig changes applied: SIGNUPS_ALLOWED -> SIGNUPS_ENABLED (1.35.5)\n"), c.message);
  BOOST_TEST(contains(c.message, "ADMIN_TOKEN to ADMIN_SECRET, but the Terraform does not set ADMIN_TOKEN"), c.message);
  // One commit: the version and the rename, staged together, nothing else touched.
  BOOST_TEST(std::count(c.paths.begin(), c.paths.end(), "stacks/vaultwarden/env.tf") == 1);
  BOOST_TEST(std::count(c.paths.begin(), c.paths.end(), kVaultwardenFile) == 1);
  std::string want = kVaultwardenEnv;
  want.replace(want.find("SIGNUPS_ALLOWED"), 15, "SIGNUPS_ENABLED");
  BOOST_TEST(w.file("stacks/vaultwarden/env.tf") == want);
  BOOST_TEST(contains(w.file(kVaultwardenFile), "vaultwarden/server:1.35.5"));
}

BOOST_AUTO_TEST_CASE(with_config_changes_off_renames_are_flagged_and_not_applied) {
  World w;
  write_file(w.dir.path() / "stacks/vaultwarden/env.tf", kVaultwardenEnv);
  w.decider.notes = vaultwarden_notes();
  std::optional<saga::Result> result;
  saga::Context ctx{w.config, config::StepMode::stops, w.timing, false};
  auto body = [&]() -> asio::awaitable<void> {
    result = co_await saga::run_upgrade(w.ports(), ctx, World::job("vaultwarden/server", "1.35.5"), w.observer);
  };
  asio::co_spawn(w.io, body(), asio::detached);
  w.io.run();
  BOOST_REQUIRE(result.has_value());
  BOOST_TEST(to_string(result->outcome) == "upgraded", result->reason);
  BOOST_REQUIRE(w.decider.last.has_value());
  BOOST_TEST(!w.decider.last->apply_config_changes);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  const auto& c = w.git.commits[0];
  BOOST_TEST(contains(c.message, "\nConfig changes applied: none\n"), c.message);
  BOOST_TEST(contains(c.message, "config_changes is off: not applied"), c.message);
  BOOST_TEST(std::count(c.paths.begin(), c.paths.end(), "stacks/vaultwarden/env.tf") == 0);
  BOOST_TEST(w.file("stacks/vaultwarden/env.tf") == kVaultwardenEnv);
}

// The remote moved between the decision and the push and no longer sets the
// old name: the commit is refused before anything is pushed.
BOOST_AUTO_TEST_CASE(a_rename_the_tip_no_longer_allows_pushes_nothing) {
  World w;
  write_file(w.dir.path() / "stacks/vaultwarden/env.tf", kVaultwardenEnv);
  w.decider.notes = vaultwarden_notes();
  w.decider.on_decide = [&w] {
    std::string moved = kVaultwardenEnv;
    moved.replace(moved.find("SIGNUPS_ALLOWED"), 15, "SIGNUPS_ENABLED");
    write_file(w.dir.path() / "stacks/vaultwarden/env.tf", moved);
  };
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "aborted", r.reason);
  BOOST_TEST(contains(r.reason, "SIGNUPS_ENABLED"), r.reason);
  BOOST_TEST(w.git.commits.empty());
}

BOOST_AUTO_TEST_CASE(ci_failure_reverts_exactly_the_upgrade_and_reports_rolled_back) {
  World w;
  const std::string before = w.file(kVaultwardenFile);
  w.ci.queue.push_back(FakeCi::Script{ports::CiState::failure, "failure", false, 0ms});
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "rolled back");
  BOOST_TEST(saga::exit_code(r.outcome) == 1);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.git.commits[1].reverts.value_or("") == w.git.commits[0].sha);
  BOOST_TEST(w.file(kVaultwardenFile) == before);
  BOOST_TEST(r.rollback_commit == w.git.commits[1].sha);
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);
  const auto& failed = w.notifier.posted[1];
  BOOST_TEST(failed.rfind("[Upgrade Agent] FAILED + ROLLED BACK: *vaultwarden* 1.35.4 -> 1.35.5\n", 0) == 0);
  BOOST_TEST(contains(failed, "Reason: CI workflow default"));
  BOOST_TEST(contains(failed, "Rollback commit: " + w.git.commits[1].sha));
  BOOST_TEST(contains(failed, "Rollback status: verified"));
}

BOOST_AUTO_TEST_CASE(crash_loop_in_the_window_ends_it_at_once_and_rolls_back) {
  World w;
  w.timing.verify_window_safe = 5s;  // the failure must end the window long before this
  w.cluster.health_by_tag["1.35.5"] = FakeCluster::Health::crash_loop;
  const auto started = core::Clock::now();
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "rolled back");
  BOOST_TEST(contains(r.reason, "CrashLoopBackOff"));
  BOOST_TEST(seconds_since(started) < 3.0);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.cluster.running_tag == "1.35.4");
}

// Regression: the checks a failing one cancels used to make the whole round
// "cancelled", so a crash loop found first ended the saga as cancelled.
BOOST_AUTO_TEST_CASE(a_failing_check_cancels_slower_siblings_and_the_stop_is_rolled_back_not_cancelled) {
  World w;
  w.timing.verify_window_safe = 5s;
  w.cluster.health_by_tag["1.35.5"] = FakeCluster::Health::crash_loop;
  w.http.delay = 2s;  // still in flight when the pods fail
  w.monitors.delay = 2s;
  w.monitors.state = ports::MonitorState::up;
  const auto started = core::Clock::now();
  bool slow = true;
  w.on_applied = [&](const std::string& tag) {
    if (tag == "1.35.4") {  // the rollback's own window: answer at once
      slow = false;
      w.http.delay = 0ms;
      w.monitors.delay = 0ms;
    }
  };
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "rolled back", r.reason);
  BOOST_TEST(contains(r.reason, "CrashLoopBackOff"), r.reason);
  BOOST_TEST(!slow);
  BOOST_TEST(seconds_since(started) < 2.0);  // the slow checks did not hold the window open
}

// Regression: a round started inside the window had its requests cut at the
// window's end and a healthy service was called "pending".
BOOST_AUTO_TEST_CASE(a_round_in_flight_when_the_window_ends_is_finished_not_cut) {
  World w;
  w.timing.verify_window_safe = 500ms;
  w.timing.check_interval = 200ms;
  w.http.delay = 100ms;  // rounds at 0, 300 and 500 ms: the last ends 100 ms after the window
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
}

// The journal's seam: the saga awaits the observer's checkpoint after
// "about to push" and before pushing; a journal that cannot record it stops
// the push.
class CheckpointingObserver final : public saga::Observer {
 public:
  explicit CheckpointingObserver(const FakeClone& git) : git_(git) {}
  std::vector<saga::Event> events;
  std::vector<std::pair<saga::EventKind, std::size_t>> checkpoints;  // last event kind, commits on the remote then
  std::optional<core::Error> fail;
  void on_event(const saga::Event& e) override { events.push_back(e); }
  asio::awaitable<core::Expected<void>> checkpoint() override {
    checkpoints.emplace_back(events.back().kind, git_.commits.size());
    core::Expected<void> answer;
    if (fail) answer = *fail;
    co_return answer;
  }

 private:
  const FakeClone& git_;
};

saga::Result run_with(World& w, saga::Observer& observer, const saga::Job& job) {
  std::optional<saga::Result> result;
  saga::Context ctx{w.config, config::StepMode::stops, w.timing};
  auto body = [&]() -> asio::awaitable<void> { result = co_await saga::run_upgrade(w.ports(), ctx, job, observer); };
  asio::co_spawn(w.io, body(), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);
  });
  w.io.run();
  w.io.restart();
  return *result;
}

BOOST_AUTO_TEST_CASE(about_to_push_is_checkpointed_before_the_push) {
  World w;
  CheckpointingObserver observer(w.git);
  const auto r = run_with(w, observer, World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_REQUIRE(!observer.checkpoints.empty());
  BOOST_TEST((observer.checkpoints[0].first == saga::EventKind::about_to_push));
  BOOST_TEST(observer.checkpoints[0].second == 0U);  // nothing pushed yet when it was awaited
  BOOST_REQUIRE(observer.checkpoints.size() >= 2U);
  BOOST_TEST((observer.checkpoints[1].first == saga::EventKind::pushed));
}

BOOST_AUTO_TEST_CASE(a_journal_that_cannot_record_about_to_push_stops_the_push) {
  World w;
  CheckpointingObserver observer(w.git);
  observer.fail = core::make_error(core::ErrorKind::critical, "journal.db: disk I/O error", "store", "append");
  const auto r = run_with(w, observer, World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) != "upgraded");
  BOOST_TEST(w.git.commits.empty());  // nothing reached the remote
  BOOST_TEST(contains(r.reason, "journal"), r.reason);
  BOOST_REQUIRE(!w.notifier.posted.empty());
  BOOST_TEST(!contains(w.notifier.posted.back(), "SUCCESS"));
}

BOOST_AUTO_TEST_CASE(http_502_and_kuma_down_and_old_tag_each_roll_back) {
  {
    World w;
    w.on_applied = [&w](const std::string& tag) {
      w.http.status_by_host["vaultwarden.example.org"] = tag == "1.35.5" ? 502 : 200;
    };
    const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
    BOOST_TEST(to_string(r.outcome) == "rolled back");
    BOOST_TEST(contains(r.reason, "502"));
  }
  {
    World w;
    w.on_applied = [&w](const std::string& tag) {
      w.monitors.state = tag == "1.35.5" ? ports::MonitorState::down : ports::MonitorState::up;
    };
    const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
    BOOST_TEST(to_string(r.outcome) != "upgraded");
    BOOST_TEST(contains(r.reason, "down"));
  }
  {
    World w;
    w.ci.on_finished = nullptr;  // CI says success but the pods never move
    const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
    BOOST_TEST(to_string(r.outcome) == "rolled back");
    BOOST_TEST(contains(r.reason, "runs 1.35.4"));
  }
}

BOOST_AUTO_TEST_CASE(failing_rollback_is_critical) {
  World w;
  w.cluster.health_by_tag["1.35.5"] = FakeCluster::Health::image_pull_error;
  w.git.revert_error = core::make_error(core::ErrorKind::critical, "the revert conflicts", "git", "revert");
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "CRITICAL");
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);
  BOOST_TEST(w.notifier.posted[1].rfind(
                 "[Upgrade Agent] CRITICAL: Rollback of *vaultwarden* also failed. Manual intervention required.", 0) ==
             0);
}

BOOST_AUTO_TEST_CASE(backup_failure_aborts_before_any_commit) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  w.cluster.job_end = FakeCluster::JobEnd::failed;
  const auto r = w.run(World::job("ghcr.io/immich-app/immich-server", "v2.8.0"));
  BOOST_TEST(to_string(r.outcome) == "aborted");
  BOOST_TEST(w.git.commits.empty());
  BOOST_REQUIRE_EQUAL(w.cluster.jobs_created.size(), 1U);
  BOOST_TEST(w.cluster.jobs_created[0].cronjob == "postgresql-backup");
  BOOST_TEST(w.cluster.jobs_created[0].namespace_name == "immich");  // backup_namespace of the config
  BOOST_TEST(w.cluster.jobs_created[0].job_name.rfind("pre-upgrade-immich-", 0) == 0);
  BOOST_REQUIRE_EQUAL(w.notifier.posted.size(), 2U);
  BOOST_TEST(contains(w.notifier.posted[1], "backup failed"));
  BOOST_TEST(contains(w.notifier.posted[1], "Nothing was committed."));
}

BOOST_AUTO_TEST_CASE(successful_backup_is_named_in_the_commit) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  const auto r = w.run(World::job("ghcr.io/immich-app/immich-server", "v2.8.0"));
  BOOST_TEST(to_string(r.outcome) == "upgraded", r.reason);
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 1U);
  BOOST_REQUIRE_EQUAL(w.cluster.jobs_created.size(), 1U);
  BOOST_TEST(contains(w.git.commits[0].message, "DB backup: yes (job: " + w.cluster.jobs_created[0].job_name + ")"));
}

BOOST_AUTO_TEST_CASE(ci_that_never_finishes_rolls_back_and_reports_before_the_ceiling) {
  World w;
  w.timing.ceiling = 4s;
  w.timing.ci_timeout = 1h;  // only the ceiling's reserve stops the wait
  w.timing.push_reserve = 1s;
  w.timing.report_reserve = 500ms;
  w.ci.queue.push_back(FakeCi::Script{ports::CiState::success, "running", true, 0ms});
  // The revert's CI succeeds.
  const auto started = core::Clock::now();
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  const auto took = core::Clock::now() - started;
  BOOST_TEST(std::chrono::duration<double>(took).count() < 4.0);
  BOOST_TEST(to_string(r.outcome) == "rolled back");
  BOOST_TEST(contains(r.reason, "still running"));
  BOOST_REQUIRE_EQUAL(w.notifier.attempted.size(), 2U);
  BOOST_TEST(contains(w.notifier.attempted[1], "FAILED + ROLLED BACK"));
}

BOOST_AUTO_TEST_CASE(whatever_never_answers_the_report_is_attempted_before_the_ceiling) {
  // Every outside system hangs (except Slack): the saga still returns in time.
  for (int hang = 0; hang < 4; ++hang) {
    World w;
    w.timing.ceiling = 3s;
    w.timing.push_reserve = 800ms;
    w.timing.report_reserve = 400ms;
    w.timing.ci_timeout = 1h;
    w.timing.backup_timeout = 1h;
    w.timing.lookup_timeout = 1h;
    if (hang == 0) w.ci.next.never = true;
    if (hang == 1) w.cluster.delay = 24h;
    if (hang == 2) w.http.delay = 24h;
    if (hang == 3) w.monitors.delay = 24h;
    w.timing.verify_window_safe = 500ms;
    const auto started = core::Clock::now();
    const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
    BOOST_TEST_CONTEXT("hang " << hang << ": " << to_string(r.outcome) << ": " << r.reason) {
      BOOST_TEST(seconds_since(started) < 3.0);
      BOOST_TEST(to_string(r.outcome) != "upgraded");
      BOOST_TEST(!w.notifier.attempted.empty());
      BOOST_TEST((w.notifier.attempted.back().find("FAILED") != std::string::npos ||
                  w.notifier.attempted.back().find("CRITICAL") != std::string::npos));
    }
  }
}

BOOST_AUTO_TEST_CASE(slack_refusing_leaves_the_upgrade_done_and_says_so) {
  World w;
  w.notifier.fail_with = core::make_error(core::ErrorKind::unavailable, "404 no_service", "slack", "post");
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_TEST(w.git.commits.size() == 1U);
  BOOST_TEST(r.report_failures.size() == 2U);
  BOOST_TEST(w.observer.count(saga::EventKind::report_failed) == 2U);
}

BOOST_AUTO_TEST_CASE(caution_with_two_stops_commits_each_and_verifies_each) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  w.decider.risk = core::Risk::caution;
  w.decider.stops = {"v2.7.5"};
  const auto r = w.run(World::job("ghcr.io/immich-app/immich-server", "v2.8.0"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.git.commits[0].message.rfind("upgrade: immich v2.7.4 -> v2.7.5\n", 0) == 0);
  BOOST_TEST(w.git.commits[1].message.rfind("upgrade: immich v2.7.5 -> v2.8.0\n", 0) == 0);
  BOOST_TEST(r.live == "v2.8.0");
  BOOST_TEST(w.notifier.posted.size() == 3U);  // Starting for each stop, then SUCCESS
}

BOOST_AUTO_TEST_CASE(a_failing_second_stop_rolls_back_only_itself) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  w.decider.risk = core::Risk::caution;
  w.decider.stops = {"v2.7.5"};
  w.cluster.health_by_tag["v2.8.0"] = FakeCluster::Health::crash_loop;
  const auto r = w.run(World::job("ghcr.io/immich-app/immich-server", "v2.8.0"));
  BOOST_TEST(to_string(r.outcome) == "rolled back");
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 3U);
  BOOST_TEST(w.git.commits[2].reverts.value_or("") == w.git.commits[1].sha);
  BOOST_TEST(r.live == "v2.7.5");
  BOOST_TEST(contains(w.notifier.posted.back(), "Live version: v2.7.5"));
  BOOST_TEST(w.cluster.running_tag == "v2.7.5");
}

BOOST_AUTO_TEST_CASE(rejected_pushes_are_retried_by_the_clone) {
  World w;
  w.git.reject_pushes = 2;
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_TEST(w.git.pushes == 3U);
  BOOST_TEST(w.git.commits.size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_push_lost_in_transit_is_found_on_the_remote_not_pushed_twice) {
  World w;
  w.git.publish_error = core::make_error(core::ErrorKind::unavailable, "connection reset", "git", "push");
  w.git.publish_error_lands = true;
  const auto r = w.run(World::job("vaultwarden/server", "1.35.5"));
  BOOST_TEST(to_string(r.outcome) == "upgraded");
  BOOST_TEST(w.git.commits.size() == 1U);
}

BOOST_AUTO_TEST_CASE(immich_server_and_machine_learning_give_one_upgrade_and_one_already_at_target) {
  World w("ghcr.io/immich-app/immich-server", "v2.7.4", "immich");
  // One variable moves both images: whichever request takes the stack first
  // upgrades, the other finds its image at the target.
  w.cluster.sidecars["ghcr.io/immich-app/immich-machine-learning"] = "-cuda";
  std::optional<saga::Result> a;
  std::optional<saga::Result> b;
  saga::Context ctx{w.config, config::StepMode::stops, w.timing};
  auto first = [&]() -> asio::awaitable<void> {
    a = co_await saga::run_upgrade(w.ports(), ctx, World::job("ghcr.io/immich-app/immich-server", "v2.8.0", "a"),
                                   w.observer);
  };
  auto second = [&]() -> asio::awaitable<void> {
    b = co_await saga::run_upgrade(w.ports(), ctx,
                                   World::job("ghcr.io/immich-app/immich-machine-learning", "v2.8.0-cuda", "b"),
                                   w.observer);
  };
  asio::co_spawn(w.io, first(), asio::detached);
  asio::co_spawn(w.io, second(), asio::detached);
  w.io.run();
  BOOST_REQUIRE(a && b);
  const std::set<std::string> outcomes{std::string(to_string(a->outcome)), std::string(to_string(b->outcome))};
  const std::set<std::string> want{"upgraded", "already at target"};
  BOOST_TEST(outcomes == want, boost::test_tools::per_element());
  BOOST_TEST(w.git.commits.size() == 1U);
}

// Runs one saga and sends it `type` of cancellation after 300 ms (as `run`'s
// signal handler does); returns the result and how long it took.
std::pair<saga::Result, double> run_and_cancel(World& w, asio::cancellation_type type) {
  asio::cancellation_signal signal;
  std::optional<saga::Result> result;
  saga::Context ctx{w.config, config::StepMode::stops, w.timing};
  auto body = [&]() -> asio::awaitable<void> {
    result = co_await saga::run_upgrade(w.ports(), ctx, World::job("vaultwarden/server", "1.35.5"), w.observer);
  };
  asio::co_spawn(w.io, body(), asio::bind_cancellation_slot(signal.slot(), asio::detached));
  asio::steady_timer t(w.io, 300ms);
  t.async_wait([&](auto) { signal.emit(type); });
  const auto started = core::Clock::now();
  w.io.run();
  BOOST_REQUIRE(result);
  return {*result, seconds_since(started)};
}

BOOST_AUTO_TEST_CASE(total_cancellation_during_ci_reverts_and_reports) {
  World w;
  w.ci.queue.push_back(FakeCi::Script{ports::CiState::success, "running", true, 0ms});
  const auto [result, took] = run_and_cancel(w, asio::cancellation_type::total);
  BOOST_TEST(took < 3.0);
  BOOST_TEST(to_string(result.outcome) == "cancelled");
  BOOST_REQUIRE_EQUAL(w.git.commits.size(), 2U);
  BOOST_TEST(w.git.commits[1].reverts.has_value());
  BOOST_TEST(contains(w.notifier.posted.back(), "FAILED + ROLLED BACK"));
}

BOOST_AUTO_TEST_CASE(terminal_cancellation_stops_at_once) {
  World w;
  w.ci.next.never = true;
  const auto [result, took] = run_and_cancel(w, asio::cancellation_type::terminal);
  BOOST_TEST(took < 1.0);
  BOOST_TEST(to_string(result.outcome) == "cancelled");
  BOOST_TEST(w.git.commits.size() == 1U);  // no revert: stopped at once
  BOOST_TEST(contains(result.reason, "pushed and not verified"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
