// `serve` killed with SIGKILL at each checkpoint of a saga, then started
// again (issue 12's crash test). At every point: the remote has exactly one
// upgrade commit and at most one revert, the final Slack report was delivered
// once or twice (twice only when the kill fell between posting and
// recording it), and the journal's final state is right.
//
// The kill is the process's own (runtime/crash_point.hpp), so it falls at
// exactly the named point, as `kill -9` at that moment would.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <thread>

#include "support/child_process.hpp"
#include "upgrade_agent/store/journal.hpp"
#include "world.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG",
                                     "GIT_"};
constexpr const char* kImage = "docker.n8n.io/n8nio/n8n";  // SAFE, with a database backup
constexpr const char* kTag = "1.81.0";

struct CrashCase {
  std::string scenario;
  std::string point;  // runtime::crash_point's name, "#N" for the Nth time
  std::string outcome;  // the journal's final outcome
  std::string report;   // how the final Slack report starts
};

std::ostream& operator<<(std::ostream& out, const CrashCase& c) { return out << c.scenario << " @ " << c.point; }

std::vector<std::string> serve_env(World& world, const std::string& state_dir) {
  std::map<std::string, std::string> settings(world.sandbox().settings().begin(), world.sandbox().settings().end());
  settings["UPGRADE_AGENT_STATE_DIR"] = state_dir;
  settings["UPGRADE_AGENT_WEBHOOK_TOKEN"] = "crash-test-token";
  settings["UPGRADE_AGENT_VERIFY_WINDOW_SAFE"] = "1500ms";
  settings["UPGRADE_AGENT_CEILING"] = "90s";
  std::vector<std::string> env;
  for (const auto& [name, value] : settings) env.push_back(name + "=" + value);
  return env;
}

store::RequestRecord wait_done(const std::filesystem::path& journal_file, store::RequestId id, BackgroundChild& serve) {
  const auto until = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < until) {
    auto journal = store::Journal::open(journal_file);
    BOOST_REQUIRE_MESSAGE(journal, (journal ? "" : journal.error().describe()));
    auto found = journal->find(id);
    BOOST_REQUIRE(found);
    if (found->request.state == store::RequestState::done) return found->request;
    if (auto status = serve.wait_exit(0)) {
      BOOST_FAIL("serve ended before the request was done (status " << *status << "): " << serve.err());
    }
    std::this_thread::sleep_for(200ms);
  }
  BOOST_FAIL("request " << id << " not done within 120 s: " << serve.err());
  return {};
}

std::size_t count_starting(const std::vector<std::string>& texts, std::string_view prefix) {
  return static_cast<std::size_t>(
      std::count_if(texts.begin(), texts.end(), [&](const std::string& t) { return starts_with(t, prefix); }));
}

void crash_and_resume(const CrashCase& c) {
  World world(c.scenario);
  ScratchDir state_dir("ua-crash-state-");
  const auto journal_file = store::journal_path(state_dir.path());
  store::RequestId id = 0;
  {
    auto journal = store::Journal::open(journal_file);
    BOOST_REQUIRE(journal);
    store::NewRequest request;
    request.target = store::Target{std::string(kImage), kTag};
    request.source = "api";
    auto admitted = journal->admit(request, std::chrono::system_clock::now());
    BOOST_REQUIRE(admitted);
    id = admitted->id;
  }
  auto env = serve_env(world, state_dir.path().string());
  const std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
  {
    auto crashing = env;
    crashing.push_back("UPGRADE_AGENT_TEST_CRASH_AT=" + c.point);
    BackgroundChild first(UA_BINARY, args, kDrop, crashing);
    const auto status = first.wait_exit(90000);
    BOOST_REQUIRE_MESSAGE(status, "serve never reached " << c.point << ": " << first.err());
    BOOST_REQUIRE_MESSAGE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL,
                          "serve ended without the crash at " << c.point << " (status " << *status
                                                              << "): " << first.err());
  }
  BackgroundChild second(UA_BINARY, args, kDrop, env);
  const auto done = wait_done(journal_file, id, second);
  BOOST_TEST(second.stop(SIGTERM) == 0, second.err());

  BOOST_TEST(done.outcome == c.outcome, done.outcome << ": " << done.reason);
  const auto subjects = world.agent_subjects();
  BOOST_TEST(count_starting(subjects, "upgrade: n8n ") == 1U);
  const auto reverts = count_starting(subjects, "Revert ");
  BOOST_TEST(reverts == (c.outcome == "rolled back" ? 1U : 0U));
  BOOST_TEST(subjects.size() == 1U + reverts);
  const auto finals = count_starting(world.slack(), c.report);
  BOOST_TEST((finals == 1U || finals == 2U), finals << " final reports");
  BOOST_TEST(count_starting(world.slack(), "[Upgrade Agent] CRITICAL") == 0U);

  auto journal = store::Journal::open(journal_file);
  BOOST_REQUIRE(journal);
  auto holds = journal->holds();
  BOOST_REQUIRE(holds);
  BOOST_TEST(holds->size() == (c.outcome == "rolled back" ? 1U : 0U));
}

const std::vector<CrashCase> kCases{
    // The upgrade that succeeds.
    {"healthy", "locate.started", "upgraded", "[Upgrade Agent] SUCCESS"},  // right after intake
    {"healthy", "report_starting.report_sent", "upgraded", "[Upgrade Agent] SUCCESS"},
    {"healthy", "backup.progress#2", "upgraded", "[Upgrade Agent] SUCCESS"},  // the backup Job is created
    {"healthy", "backup.finished", "upgraded", "[Upgrade Agent] SUCCESS"},
    {"healthy", "git.committed", "upgraded", "[Upgrade Agent] SUCCESS"},  // committed, not pushed
    {"healthy", "publish.about_to_push", "upgraded", "[Upgrade Agent] SUCCESS"},
    {"healthy", "publish.pushed", "upgraded", "[Upgrade Agent] SUCCESS"},
    {"healthy", "wait_for_ci.progress", "upgraded", "[Upgrade Agent] SUCCESS"},  // during the CI wait
    {"healthy", "verify.progress", "upgraded", "[Upgrade Agent] SUCCESS"},      // during the window
    {"healthy", "report.about_to_report", "upgraded", "[Upgrade Agent] SUCCESS"},
    {"healthy", "report.report_sent", "upgraded", "[Upgrade Agent] SUCCESS"},
    // The upgrade whose pods crash-loop and that is rolled back.
    {"crash-loop", "verify.failed", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"crash-loop", "roll_back.about_to_push", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"crash-loop", "roll_back.pushed", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},  // the revert is pushed
    {"crash-loop", "roll_back.finished", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"crash-loop", "report.about_to_report", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},
    {"crash-loop", "report.report_sent", "rolled back", "[Upgrade Agent] FAILED + ROLLED BACK"},
};

BOOST_AUTO_TEST_SUITE(crash)

BOOST_AUTO_TEST_CASE(serve_killed_at_each_checkpoint_finishes_the_saga_once) {
  for (const auto& c : kCases) {
    BOOST_TEST_CONTEXT(c) { crash_and_resume(c); }
  }
}

// SIGTERM in the middle of the verification window: serve exits 0 within
// 10 s, the saga stays unfinished in the journal, and the next start
// finishes it.
BOOST_AUTO_TEST_CASE(sigterm_stops_at_a_checkpoint_within_ten_seconds_and_the_next_start_resumes) {
  World world("healthy");
  ScratchDir state_dir("ua-drain-state-");
  const auto journal_file = store::journal_path(state_dir.path());
  store::RequestId id = 0;
  {
    auto journal = store::Journal::open(journal_file);
    BOOST_REQUIRE(journal);
    store::NewRequest request;
    request.target = store::Target{std::string(kImage), kTag};
    request.source = "api";
    id = journal->admit(request, std::chrono::system_clock::now())->id;
  }
  auto env = serve_env(world, state_dir.path().string());
  const std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
  {
    auto long_window = env;
    long_window.emplace_back("UPGRADE_AGENT_VERIFY_WINDOW_SAFE=40s");  // the saga is in it when the signal comes
    std::erase_if(long_window, [](const std::string& e) { return e.starts_with("UPGRADE_AGENT_VERIFY_WINDOW_SAFE=1500"); });
    BackgroundChild first(UA_BINARY, args, kDrop, long_window);
    bool waiting = false;
    for (int i = 0; i < 600 && !waiting; ++i) {
      std::this_thread::sleep_for(100ms);
      auto journal = store::Journal::open(journal_file);
      BOOST_REQUIRE(journal);
      // Held in a local: a range-for over a temporary's member would dangle (C++20).
      const auto upgrade = journal->find(id);
      BOOST_REQUIRE(upgrade);
      for (const auto& step : upgrade->steps) {
        waiting = waiting || (step.step == saga::Step::verify && step.kind == saga::EventKind::started);
      }
    }
    BOOST_REQUIRE_MESSAGE(waiting, "the saga never reached its verification window: " << first.err());
    const auto asked = std::chrono::steady_clock::now();
    BOOST_TEST(first.stop(SIGTERM) == 0, first.err());
    const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    BOOST_TEST(took < 10.0, took << " s to exit");
    auto journal = store::Journal::open(journal_file);
    BOOST_REQUIRE(journal);
    BOOST_TEST(store::to_string(journal->find(id)->request.state) == "running");
  }
  BackgroundChild second(UA_BINARY, args, kDrop, env);
  const auto done = wait_done(journal_file, id, second);
  BOOST_TEST(second.stop(SIGTERM) == 0, second.err());
  BOOST_TEST(done.outcome == "upgraded", done.reason);
  BOOST_TEST(count_starting(world.agent_subjects(), "upgrade: n8n ") == 1U);
  BOOST_TEST(count_starting(world.slack(), "[Upgrade Agent] SUCCESS") == 1U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
