// Someone else pushes between the agent's commit and its push (a person, or a
// CI runner's state commit): the remote refuses the push as not a fast
// forward, and the agent makes its edit again on the new tip. The race is made
// exact with the test hook at "git.committed", which runs on the blocking
// pool after the agent's commit exists and before it is pushed.
#include <atomic>

#include "e2e/world.hpp"
#include "sandbox/world/git_cli.hpp"
#include "support/files.hpp"
#include "upgrade_agent/runtime/crash_point.hpp"

namespace ua::test {
namespace {

constexpr const char* kUpgrade = "upgrade: vaultwarden 1.35.4 -> 1.35.5";
constexpr const char* kMain = "stacks/vaultwarden/main.tf";
constexpr const char* kBackup = "stacks/platform/modules/vaultwarden-backup/main.tf";

// A teammate with a clone of their own, pushing with the real git command.
class Teammate {
 public:
  explicit Teammate(const std::filesystem::path& remote) : git_(dir_.path() / "home") {
    std::filesystem::create_directories(dir_.path() / "home");
    must(git_.run(dir_.path(), {"clone", "-q", remote.string(), "work"}));
  }

  // Rewrites `path` (new or not) with `edit` applied to its text.
  template <class Edit>
  void edit(const std::string& path, Edit change) {
    const auto file = work() / path;
    write_file(file, change(std::filesystem::exists(file) ? read_file(file) : std::string()));
    must(git_.run(work(), {"add", path}));
  }

  void commit_and_push(const std::string& subject) {
    must(git_.run(work(), {"-c", "user.name=Ada Teammate", "-c", "user.email=ada@example.invalid", "commit", "-q",
                           "--author=Ada Teammate <ada@example.invalid>", "-m", subject}));
    must(git_.run(work(), {"push", "-q", "origin", "HEAD"}));
  }

  void fetch() { must(git_.run(work(), {"fetch", "-q", "origin"})); }

  // `git show REV[:PATH]` in the teammate's clone (fetch first to see the remote's).
  std::string show(const std::string& rev_and_path) {
    auto shown = git_.run(work(), {"show", rev_and_path});
    BOOST_REQUIRE_MESSAGE(shown, (shown ? "" : shown.error().describe()));
    return *shown;
  }

 private:
  [[nodiscard]] std::filesystem::path work() const { return dir_.path() / "work"; }
  static void must(const core::Expected<std::string>& step) {
    if (!step) throw std::runtime_error(step.error().describe());
  }

  ScratchDir dir_{"ua-teammate-"};
  sandbox::GitCli git_;
};

// Runs `push` once, the first time the agent has committed and not pushed.
class PushBeforeTheAgent {
 public:
  explicit PushBeforeTheAgent(std::function<void()> push)
      : hook_([this, push = std::move(push)](std::string_view point) {
          if (point != "git.committed" || fired_.exchange(true)) return;
          try {
            push();
          } catch (const std::exception& e) {
            failure_ = e.what();
          }
        }) {}
  [[nodiscard]] bool fired() const { return fired_.load(); }
  [[nodiscard]] const std::string& failure() const { return failure_; }

 private:
  std::atomic<bool> fired_{false};
  std::string failure_;
  runtime::ScopedPointHook hook_;
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no '" << from << "' in the file");
  return text.replace(at, from.size(), to);
}

BOOST_AUTO_TEST_SUITE(push_races)

BOOST_AUTO_TEST_CASE(a_push_rejected_because_someone_else_pushed_is_made_again_on_their_commit) {
  World world("healthy");
  Teammate ada(world.sandbox().remote());
  PushBeforeTheAgent race([&ada] {
    ada.edit("docs/runbook.md", [](const std::string&) { return std::string("# Runbook\n\nRestart with care.\n"); });
    ada.commit_and_push("docs: a runbook");
  });

  const auto r = world.run_one("vaultwarden/server:1.35.5");
  BOOST_TEST(race.fired());
  BOOST_TEST(race.failure().empty(), race.failure());
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded", r.reason);

  // The teammate's commit kept, exactly one upgrade commit on top of it.
  BOOST_TEST(world.agent_subjects() == (std::vector<std::string>{"docs: a runbook", kUpgrade}),
             boost::test_tools::per_element());
  const auto commits = world.new_commits();
  BOOST_REQUIRE_GE(commits.size(), 2U);
  BOOST_TEST(contains(commits[0].author, "Ada Teammate"));
  BOOST_TEST(commits[1].subject == kUpgrade);
  BOOST_REQUIRE_EQUAL(r.stops.size(), 1U);
  BOOST_TEST(r.stops[0].commit == commits[1].sha);
  ada.fetch();
  BOOST_TEST(contains(ada.show(commits[1].sha + "~1"), "docs: a runbook"));
  BOOST_TEST(ada.show(r.stops[0].commit + ":docs/runbook.md") == "# Runbook\n\nRestart with care.\n");
  BOOST_TEST(contains(ada.show(r.stops[0].commit + ":" + kMain), "vaultwarden/server:1.35.5\" # DIUN"));

  // The retry is visible, the upgrade's own pipeline was waited for and the pods run it.
  const auto pushed = std::find_if(world.recorder.events.begin(), world.recorder.events.end(), [](const saga::Event& e) {
    return e.step == saga::Step::publish && e.kind == saga::EventKind::pushed;
  });
  BOOST_REQUIRE(pushed != world.recorder.events.end());
  BOOST_TEST(contains(pushed->detail, "(after 2 pushes)"), pushed->detail);
  const auto pipelines = world.sandbox().pipelines();
  const bool waited = std::any_of(pipelines.begin(), pipelines.end(), [&r](const sandbox::woodpecker::PipelineView& p) {
    return p.commit == r.stops[0].commit && p.finished;
  });
  BOOST_TEST(waited);
  BOOST_TEST(world.sandbox().deployed().at("vaultwarden/vaultwarden").front() == "vaultwarden/server:1.35.5");
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 2U);
  BOOST_TEST(starts_with(slack[1], "[Upgrade Agent] SUCCESS: *vaultwarden* upgraded 1.35.4 -&gt; 1.35.5"));
  BOOST_TEST(contains(slack[1], r.stops[0].commit));
}

BOOST_AUTO_TEST_CASE(a_teammate_who_made_the_same_bump_first_leaves_nothing_for_the_agent_to_push) {
  World world("healthy");
  Teammate ada(world.sandbox().remote());
  // Both places the agent's own commit moves (see plan --offline), by hand.
  PushBeforeTheAgent race([&ada] {
    ada.edit(kMain, [](const std::string& text) {
      return replaced(text, "vaultwarden/server:1.35.4\" # DIUN", "vaultwarden/server:1.35.5\" # DIUN");
    });
    ada.edit(kBackup, [](const std::string& text) {
      return replaced(text, "docker.io/vaultwarden/server:1.35.4", "docker.io/vaultwarden/server:1.35.5");
    });
    ada.commit_and_push("vaultwarden: 1.35.5 by hand");
  });

  const auto r = world.run_one("vaultwarden/server:1.35.5");
  BOOST_TEST(race.fired());
  BOOST_TEST(race.failure().empty(), race.failure());
  // Nothing of the agent's on the remote: the teammate's bump is the only commit.
  BOOST_TEST(world.agent_subjects() == (std::vector<std::string>{"vaultwarden: 1.35.5 by hand"}),
             boost::test_tools::per_element());
  BOOST_TEST(saga::to_string(r.outcome) == "already at target", r.reason);
  BOOST_TEST(r.stops.empty());
  BOOST_TEST(r.rollback_commit.empty());
  BOOST_TEST(contains(r.reason, "the remote reached 1.35.5 while the agent's push was on its way"), r.reason);
  // The Starting post is closed by one saying nothing was committed, and why.
  const auto slack = world.slack();
  BOOST_REQUIRE_EQUAL(slack.size(), 2U);
  BOOST_TEST(starts_with(slack[0], "[Upgrade Agent] Starting: *vaultwarden*"));
  BOOST_TEST(contains(slack[1], "Nothing was committed."), slack[1]);
  BOOST_TEST(contains(slack[1], "while the agent's push was on its way"), slack[1]);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
