// The batch runner against the saga's port doubles: the concurrency limit
// really holds (measured at the git port), two requests for one stack never
// overlap, results come back in input order, and a stop reaches running
// sagas while queued ones never start.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <map>
#include <set>

#include "saga/world.hpp"
#include "upgrade_agent/service/batch.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;
using saga::Outcome;

// The world's clone, with a delay per inspect call (first call first) and a
// count of how many sagas are inside inspect at once: every saga starts with
// one, so its peak is the number of sagas in flight.
class MeasuredClone final : public ports::GitClone {
 public:
  explicit MeasuredClone(FakeClone& inner) : inner_(inner) {}
  std::deque<std::chrono::milliseconds> delays;
  unsigned in_flight = 0;
  unsigned max_in_flight = 0;

  asio::awaitable<core::Expected<std::string>> inspect(ports::WorktreeFn read, core::Deadline deadline) override {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    std::chrono::milliseconds delay{0};
    if (!delays.empty()) {
      delay = delays.front();
      delays.pop_front();
    }
    const bool waited = co_await pause(delay, deadline);
    std::optional<core::Expected<std::string>> out;
    if (!waited) {
      out = cancelled("git");
    } else {
      auto tip = co_await inner_.inspect(std::move(read), deadline);
      out = std::move(tip);
    }
    --in_flight;
    co_return std::move(*out);
  }
  asio::awaitable<core::Expected<std::string>> inspect_before(std::string commit, ports::WorktreeFn read,
                                                              core::Deadline deadline) override {
    return inner_.inspect_before(std::move(commit), std::move(read), deadline);
  }
  asio::awaitable<core::Expected<ports::Pushed>> publish(ports::Publish request, core::Deadline deadline) override {
    return inner_.publish(std::move(request), deadline);
  }
  asio::awaitable<core::Expected<ports::Pushed>> revert(std::string sha, std::string message,
                                                       core::Deadline deadline) override {
    return inner_.revert(std::move(sha), std::move(message), deadline);
  }
  asio::awaitable<core::Expected<std::optional<ports::RecentCommit>>> recent_upgrade(
      std::string stack, std::chrono::seconds window, core::Deadline deadline) override {
    return inner_.recent_upgrade(std::move(stack), window, deadline);
  }

 private:
  FakeClone& inner_;
};

request::UpgradeRequest req(const std::string& image, const std::string& tag) {
  auto r = request::parse_command_line(image, tag);
  BOOST_REQUIRE_MESSAGE(r.has_value(), image);
  return *r;
}

struct Batch {
  World w;
  MeasuredClone clone{w.git};
  std::optional<std::vector<saga::Result>> results;
  asio::cancellation_signal stop;

  saga::Ports ports() {
    return saga::Ports{clone, w.ci, w.cluster, w.http, w.monitors, w.notifier, w.decider, w.pool, w.locks};
  }

  // Runs the batch to its end; `stop_after` > 0 emits a total cancellation then.
  std::vector<saga::Result> run(std::vector<request::UpgradeRequest> requests, unsigned limit,
                                std::chrono::milliseconds stop_after = 0ms) {
    service::BatchOptions options;
    options.max_concurrency = limit;
    saga::Context ctx{w.config, config::StepMode::stops, w.timing};
    auto body = [&]() -> asio::awaitable<void> {
      auto p = ports();
      results = co_await service::run_batch(p, ctx, std::move(requests), w.observer, options);
    };
    asio::steady_timer timer(w.io);
    if (stop_after > 0ms) {
      timer.expires_after(stop_after);
      timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) stop.emit(asio::cancellation_type::total);
      });
    }
    asio::co_spawn(w.io, body(), asio::bind_cancellation_slot(stop.slot(), [&timer](const std::exception_ptr& e) {
                     timer.cancel();
                     if (e) std::rethrow_exception(e);
                   }));
    w.io.run();
    w.io.restart();
    BOOST_REQUIRE(results.has_value());
    return *results;
  }

  // When each job's events began and ended.
  [[nodiscard]] std::map<std::string, std::pair<core::Clock::time_point, core::Clock::time_point>> spans(
      saga::Step from) const {
    std::map<std::string, std::pair<core::Clock::time_point, core::Clock::time_point>> out;
    for (const auto& e : w.observer.events) {
      auto it = out.find(e.job);
      if (it == out.end()) {
        if (e.step != from) continue;
        out.emplace(e.job, std::make_pair(e.at, e.at));
      } else {
        it->second.second = e.at;
      }
    }
    return out;
  }
};

// Requests the sample repository settles locally (already at target), one per stack.
std::vector<request::UpgradeRequest> settled_on_six_stacks() {
  return {req("vaultwarden/server", "1.35.4"),        req("lscr.io/linuxserver/lidarr", "2.9.6"),
          req("headscale/headscale", "0.25.1"),       req("ghcr.io/immich-app/immich-server", "v2.7.4"),
          req("grafana/grafana", "11.4.0"),           req("ghcr.io/example/web", "2.4.1")};
}

BOOST_AUTO_TEST_SUITE(batch_runner)

BOOST_AUTO_TEST_CASE(at_most_max_concurrency_sagas_run_at_once) {
  for (const unsigned limit : {1U, 2U, 4U}) {
    Batch b;
    b.clone.delays.assign(6, 100ms);
    const auto started = core::Clock::now();
    const auto results = b.run(settled_on_six_stacks(), limit);
    const auto took = core::Clock::now() - started;
    BOOST_TEST(b.clone.max_in_flight == limit, "limit " << limit);
    // Six 100 ms sagas in waves of `limit`.
    const auto waves = (6 + limit - 1) / limit;
    const bool waited_in_waves = took >= waves * 100ms;
    BOOST_TEST(waited_in_waves, "limit " << limit);
    BOOST_REQUIRE_EQUAL(results.size(), 6U);
    for (const auto& r : results) BOOST_TEST(to_string(r.outcome) == "already at target");
  }
  // Without a tighter limit all six overlap: the measure can see concurrency.
  Batch b;
  b.clone.delays.assign(6, 100ms);
  b.run(settled_on_six_stacks(), 10);
  BOOST_TEST(b.clone.max_in_flight == 6U);
}

BOOST_AUTO_TEST_CASE(results_come_back_in_input_order) {
  Batch b;
  // The first request takes longest, the last is quickest: they end in reverse.
  b.clone.delays = {300ms, 200ms, 100ms, 0ms};
  const auto results = b.run({req("vaultwarden/server", "1.35.4"), req("ghcr.io/nobody/nothing", "1.0.0"),
                              req("vaultwarden/server", "1.30.0"), req("headscale/headscale", "0.25.1")},
                             4);
  BOOST_REQUIRE_EQUAL(results.size(), 4U);
  BOOST_TEST(to_string(results[0].outcome) == "already at target");
  BOOST_TEST(results[0].to == "1.35.4");
  BOOST_TEST(to_string(results[1].outcome) == "not referenced");
  BOOST_TEST(results[1].to == "1.0.0");
  BOOST_TEST(to_string(results[2].outcome) == "refused");
  BOOST_TEST(results[2].to == "1.30.0");
  BOOST_TEST(to_string(results[3].outcome) == "already at target");
  BOOST_TEST(results[3].to == "0.25.1");
  BOOST_TEST(service::batch_exit_code(results, 0) == 1);  // "not referenced" needs a look
  // Job ids follow the input order.
  std::set<std::string> ids;
  for (const auto& e : b.w.observer.events) ids.insert(e.job);
  BOOST_TEST((ids == std::set<std::string>{"batch-1", "batch-2", "batch-3", "batch-4"}));
}

BOOST_AUTO_TEST_CASE(two_requests_for_one_stack_never_overlap) {
  Batch b;
  // Sagas take a stack in the order they reach it; the first locates first here.
  b.clone.delays = {0ms, 50ms};
  const auto results = b.run({req("vaultwarden/server", "1.35.5"), req("vaultwarden/server", "1.35.6")}, 4);
  BOOST_REQUIRE_EQUAL(results.size(), 2U);
  BOOST_TEST(to_string(results[0].outcome) == "upgraded");
  BOOST_TEST(to_string(results[1].outcome) == "upgraded");
  // Both were in flight at once (the second waited for the stack) ...
  BOOST_TEST(b.clone.max_in_flight == 2U);
  const bool waited = std::any_of(b.w.observer.events.begin(), b.w.observer.events.end(), [](const saga::Event& e) {
    return e.job == "batch-2" && e.detail == "another upgrade of vaultwarden is running; waiting for it";
  });
  BOOST_TEST(waited);
  // ... yet the second's work on the stack began after the first's had ended.
  const auto spans = b.spans(saga::Step::decide);
  BOOST_REQUIRE_EQUAL(spans.size(), 2U);
  const bool one_after_the_other = spans.at("batch-2").first >= spans.at("batch-1").second;
  BOOST_TEST(one_after_the_other);
  // The second saw the first's commit: 1.35.4 -> 1.35.5, then 1.35.5 -> 1.35.6.
  BOOST_REQUIRE_EQUAL(b.w.git.commits.size(), 2U);
  BOOST_TEST(b.w.git.commits[0].message.rfind("upgrade: vaultwarden 1.35.4 -> 1.35.5\n", 0) == 0U);
  BOOST_TEST(b.w.git.commits[1].message.rfind("upgrade: vaultwarden 1.35.5 -> 1.35.6\n", 0) == 0U);
  BOOST_TEST(results[1].follow_up_of.value_or("") == b.w.git.commits[0].sha);
  BOOST_TEST(service::batch_exit_code(results, 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_stop_reverts_the_running_saga_and_starts_no_more) {
  Batch b;
  b.w.timing.verify_window_safe = 3s;  // the stop must end the window long before this
  const auto started = core::Clock::now();
  const auto results = b.run({req("vaultwarden/server", "1.35.5"), req("headscale/headscale", "0.25.1"),
                              req("lscr.io/linuxserver/lidarr", "2.9.6")},
                             1, 400ms);
  const bool stopped_early = core::Clock::now() - started < 2500ms;
  BOOST_TEST(stopped_early);
  BOOST_REQUIRE_EQUAL(results.size(), 3U);
  BOOST_TEST(to_string(results[0].outcome) == "cancelled");
  // The pushed upgrade was reverted and reported.
  BOOST_REQUIRE_EQUAL(b.w.git.commits.size(), 2U);
  BOOST_TEST(b.w.git.commits[1].reverts.value_or("") == b.w.git.commits[0].sha);
  BOOST_TEST(results[0].rollback_commit == b.w.git.commits[1].sha);
  for (std::size_t i = 1; i < 3; ++i) {
    BOOST_TEST(to_string(results[i].outcome) == "cancelled");
    BOOST_TEST(results[i].reason == "not started: the batch was stopped");
    BOOST_TEST(results[i].stack.empty());  // never located: no stack to name
  }
  BOOST_TEST(results[0].stack == "vaultwarden");
  BOOST_TEST(b.clone.max_in_flight == 1U);
  std::set<std::string> ids;
  for (const auto& e : b.w.observer.events) ids.insert(e.job);
  BOOST_TEST((ids == std::set<std::string>{"batch-1"}));
  BOOST_TEST(service::batch_exit_code(results, 0) == 1);
}

BOOST_AUTO_TEST_CASE(an_empty_batch_returns_at_once) {
  Batch b;
  const auto results = b.run({}, 3);
  BOOST_TEST(results.empty());
  BOOST_TEST(service::batch_exit_code(results, 0) == 0);
  BOOST_TEST(service::batch_exit_code(results, 1) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(batch_report)

saga::Result result(Outcome outcome, std::string stack, std::string reason) {
  saga::Result r;
  r.outcome = outcome;
  r.stack = std::move(stack);
  r.reason = std::move(reason);
  return r;
}

BOOST_AUTO_TEST_CASE(exit_code_is_0_only_when_every_request_ended_well) {
  const std::vector<Outcome> good = {Outcome::upgraded, Outcome::already_current, Outcome::refused};
  const std::vector<Outcome> bad = {Outcome::not_referenced, Outcome::bad_input, Outcome::aborted,
                                    Outcome::rolled_back,    Outcome::critical,  Outcome::cancelled,
                                    Outcome::failed};
  std::vector<saga::Result> all_good;
  for (const auto o : good) all_good.push_back(result(o, "s", ""));
  BOOST_TEST(service::batch_exit_code(all_good, 0) == 0);
  BOOST_TEST(service::batch_exit_code(all_good, 2) == 1);  // a skipped bad line is a failure too
  for (const auto o : bad) {
    auto mixed = all_good;
    mixed.push_back(result(o, "s", ""));
    BOOST_TEST(service::batch_exit_code(mixed, 0) == 1, to_string(o));
    BOOST_TEST(!service::ended_well(o), to_string(o));
  }
}

BOOST_AUTO_TEST_CASE(the_table_has_one_aligned_row_per_request) {
  std::vector<request::BatchEntry> entries;
  entries.push_back({2, req("vaultwarden/server", "1.35.5")});
  entries.push_back({7, req("ghcr.io/immich-app/immich-server", "v2.8.0")});
  const std::vector<saga::Result> results = {
      result(Outcome::upgraded, "vaultwarden", "verified: pods ready, HTTP OK\nsecond line"),
      result(Outcome::rolled_back, "immich", std::string(200, 'x'))};
  const std::string table = service::outcome_table(entries, results);
  const std::string expected =
      "LINE  IMAGE                             TAG     STACK        OUTCOME      REASON\n"
      "2     vaultwarden/server                1.35.5  vaultwarden  upgraded     verified: pods ready, HTTP OK\n"
      "7     ghcr.io/immich-app/immich-server  v2.8.0  immich       rolled back  " +
      std::string(117, 'x') + "...\n";
  BOOST_TEST(table == expected);
}

// A saga that ended before it found its stack (the image is not referenced,
// or the batch stopped first) has no stack: the column says so instead of
// repeating the image.
BOOST_AUTO_TEST_CASE(a_request_without_a_stack_shows_a_dash) {
  std::vector<request::BatchEntry> entries;
  entries.push_back({1, req("ghcr.io/nobody/nothing", "1.0.0")});
  entries.push_back({2, req("vaultwarden/server", "1.35.4")});
  const std::vector<saga::Result> results = {
      result(Outcome::not_referenced, "", "ghcr.io/nobody/nothing is not referenced under stacks/"),
      result(Outcome::already_current, "vaultwarden", "vaultwarden/server is already at 1.35.4")};
  const std::string expected =
      "LINE  IMAGE                   TAG     STACK        OUTCOME            REASON\n"
      "1     ghcr.io/nobody/nothing  1.0.0   -            not referenced     ghcr.io/nobody/nothing is not referenced "
      "under stacks/\n"
      "2     vaultwarden/server      1.35.4  vaultwarden  already at target  vaultwarden/server is already at 1.35.4\n";
  BOOST_TEST(service::outcome_table(entries, results) == expected);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
