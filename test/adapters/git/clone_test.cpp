// ports::GitClone over a real clone of a bare repository over file://: every
// failure is a core::Error of the right kind, nothing escapes as an exception.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <thread>

#include "adapters/git/world.hpp"
#include "upgrade_agent/adapters/git/clone.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace asio = boost::asio;
namespace git = ua::adapters::git;
using ua::core::ErrorKind;
using ua::test_git::World;

namespace {

struct CloneFixture {
  World world;
  asio::io_context io;
  ua::runtime::BlockingPool pool{2};
  ua::runtime::SerialQueue queue{pool};
  git::AsyncRepository repository{queue, world.options()};
  git::GitCloneAdapter clone{repository};
  ua::ports::GitClone& port = clone;

  // co_spawn hands a default-constructed value to a failed completion, which
  // Expected does not have: the result leaves through an optional instead.
  template <class T>
  T run(asio::awaitable<T> work) {
    std::optional<T> result;
    auto keep = [](asio::awaitable<T> op, std::optional<T>& out) -> asio::awaitable<void> {
      out.emplace(co_await std::move(op));
    };
    auto spawned = keep(std::move(work), result);
    auto future = asio::co_spawn(io, std::move(spawned), asio::use_future);
    io.restart();
    io.run();
    future.get();  // an exception here is a test failure: none may escape
    return std::move(*result);
  }

  static ua::core::Deadline soon() { return ua::core::Clock::now() + std::chrono::seconds(30); }

  ua::ports::Publish immich(ua::ports::WorktreeFn edit) {
    ua::ports::Publish request;
    request.message = ua::test_git::kUpgradeMessage;
    request.paths = {"stacks/immich"};
    request.edit = std::move(edit);
    return request;
  }
};

void bump(const std::filesystem::path& worktree) {
  ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(git_clone_port, CloneFixture)

BOOST_AUTO_TEST_CASE(every_git_error_kind_maps_by_kind) {
  const std::pair<git::ErrorKind, ErrorKind> table[] = {
      {git::ErrorKind::refused, ErrorKind::refused},
      {git::ErrorKind::rejected, ErrorKind::refused},
      {git::ErrorKind::invalid_input, ErrorKind::bad_input},
      {git::ErrorKind::nothing_to_commit, ErrorKind::conflict},
      {git::ErrorKind::retries_exhausted, ErrorKind::conflict},
      {git::ErrorKind::not_found, ErrorKind::not_found},
      {git::ErrorKind::auth, ErrorKind::unavailable},
      {git::ErrorKind::network, ErrorKind::unavailable},
      {git::ErrorKind::library, ErrorKind::unavailable},
      {git::ErrorKind::timeout, ErrorKind::timeout},
      {git::ErrorKind::revert_conflict, ErrorKind::critical},
  };
  for (const auto& [kind, expected] : table) {
    const auto e = git::to_error(git::GitError(kind, "push", "origin", "the detail"));
    BOOST_TEST(e.kind == expected, git::to_string(kind));
    BOOST_TEST(e.system == "git");
    BOOST_TEST(e.operation == "push (remote 'origin')");
    BOOST_TEST(e.message == "the detail");
  }
}

BOOST_AUTO_TEST_CASE(inspect_syncs_to_the_remote_tip_then_reads_off_the_event_loop) {
  auto human = world.other("human");
  const auto moved = human.push_change("stacks/immich/main.tf", ua::test_git::kImmichV2, "bump by hand");
  const auto io_thread = std::this_thread::get_id();
  std::string seen;
  std::thread::id reader_thread;
  ua::ports::WorktreeFn read = [&](const std::filesystem::path& worktree) {
    reader_thread = std::this_thread::get_id();
    seen = ua::test_git::read_file(worktree / "stacks/immich/main.tf");
  };
  const auto tip = run(port.inspect(std::move(read), soon()));
  BOOST_REQUIRE(tip.has_value());
  BOOST_TEST(*tip == moved);
  BOOST_TEST(seen == ua::test_git::kImmichV2);
  BOOST_TEST((reader_thread != io_thread));
}

BOOST_AUTO_TEST_CASE(a_dirty_clone_is_refused_and_the_reader_never_runs) {
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/notes.txt", "someone's work\n");
  bool called = false;
  ua::ports::WorktreeFn read = [&called](const std::filesystem::path&) { called = true; };
  const auto tip = run(port.inspect(std::move(read), soon()));
  BOOST_REQUIRE(!tip.has_value());
  BOOST_TEST(tip.error().kind == ErrorKind::refused);
  BOOST_TEST(tip.error().system == "git");
  BOOST_TEST(tip.error().message.find("stacks/immich/notes.txt") != std::string::npos, tip.error().message);
  BOOST_TEST(!called);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/notes.txt") == "someone's work\n");
}

BOOST_AUTO_TEST_CASE(a_push_rejected_because_ci_moved_the_remote_is_retried_on_the_new_tip) {
  auto ci = world.other("ci");
  int calls = 0;
  std::string ci_commit;
  ua::ports::WorktreeFn edit = [&](const std::filesystem::path& worktree) {
    if (++calls == 1) ci_commit = ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] state");
    bump(worktree);
  };
  const auto pushed = run(port.publish(immich(std::move(edit)), soon()));
  BOOST_REQUIRE(pushed.has_value());
  BOOST_TEST(pushed->attempts == 2U);
  BOOST_TEST(calls == 2);
  BOOST_TEST(world.remote_master() == pushed->sha);
  BOOST_TEST((ua::test_git::commit_facts(world.bare(), pushed->sha).parents == std::vector<std::string>{ci_commit}));
  BOOST_TEST(ua::test_git::file_at(world.bare(), pushed->sha, "stacks/immich/main.tf").value() ==
             ua::test_git::kImmichV2);
}

BOOST_AUTO_TEST_CASE(the_edit_function_s_exceptions_become_errors_and_nothing_is_pushed) {
  ua::ports::WorktreeFn bad_request = [](const std::filesystem::path&) {
    throw std::invalid_argument("tag v9 is not a version");
  };
  const auto bad = run(port.publish(immich(std::move(bad_request)), soon()));
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().kind == ErrorKind::bad_input);
  BOOST_TEST(bad.error().message == "tag v9 is not a version");
  BOOST_TEST(bad.error().operation == "publish");

  ua::ports::WorktreeFn broken = [](const std::filesystem::path&) { throw std::runtime_error("disk gone"); };
  const auto bug = run(port.publish(immich(std::move(broken)), soon()));
  BOOST_REQUIRE(!bug.has_value());
  BOOST_TEST(bug.error().kind == ErrorKind::internal);
  BOOST_TEST(world.remote_master() == world.initial());
}

BOOST_AUTO_TEST_CASE(a_skip_directive_is_bad_input_and_an_edit_changing_nothing_a_conflict) {
  auto skip = immich(bump);
  skip.message = "upgrade: immich v1.0.0 -> v2.0.0 [skip ci]\n";
  const auto refused = run(port.publish(std::move(skip), soon()));
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().kind == ErrorKind::bad_input);

  ua::ports::WorktreeFn same = [](const std::filesystem::path& worktree) {
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV1);
  };
  const auto nothing = run(port.publish(immich(std::move(same)), soon()));
  BOOST_REQUIRE(!nothing.has_value());
  BOOST_TEST(nothing.error().kind == ErrorKind::conflict);
  BOOST_TEST(world.remote_master() == world.initial());
}

BOOST_AUTO_TEST_CASE(revert_undoes_the_upgrade_and_recent_upgrade_sees_it_reverted) {
  const auto pushed = run(port.publish(immich(bump), soon()));
  BOOST_REQUIRE(pushed.has_value());
  const auto recent = run(port.recent_upgrade("immich", std::chrono::minutes(10), soon()));
  BOOST_REQUIRE(recent.has_value());
  BOOST_REQUIRE(recent->has_value());
  BOOST_TEST((*recent)->sha == pushed->sha);
  BOOST_TEST((*recent)->subject == "upgrade: immich v1.0.0 -> v2.0.0");
  BOOST_TEST(!(*recent)->reverted);

  auto ci = world.other("ci");
  const auto ci_commit = ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] state");
  const auto reverted = run(port.revert(pushed->sha, "", soon()));
  BOOST_REQUIRE(reverted.has_value());
  BOOST_TEST(world.remote_master() == reverted->sha);
  BOOST_TEST((ua::test_git::commit_facts(world.bare(), reverted->sha).parents == std::vector<std::string>{ci_commit}));
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted->sha, "stacks/immich/main.tf").value() ==
             ua::test_git::kImmichV1);
  const auto after = run(port.recent_upgrade("immich", std::chrono::minutes(10), soon()));
  BOOST_REQUIRE(after.has_value());
  BOOST_REQUIRE(after->has_value());
  BOOST_TEST((*after)->reverted);
  const auto none = run(port.recent_upgrade("vaultwarden", std::chrono::minutes(10), soon()));
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(!none->has_value());
}

BOOST_AUTO_TEST_CASE(a_conflicting_revert_is_critical_and_changes_nothing) {
  const auto pushed = run(port.publish(immich(bump), soon()));
  BOOST_REQUIRE(pushed.has_value());
  auto human = world.other("human");
  const auto moved_on = human.push_change("stacks/immich/main.tf", ua::test_git::kImmichV3, "upgrade: immich v2.0.0 -> v3.0.0");
  const auto reverted = run(port.revert(pushed->sha, "", soon()));
  BOOST_REQUIRE(!reverted.has_value());
  BOOST_TEST(reverted.error().kind == ErrorKind::critical);
  BOOST_TEST(reverted.error().message.find("stacks/immich/main.tf") != std::string::npos, reverted.error().message);
  BOOST_TEST(world.remote_master() == moved_on);
  // Still a clean, usable clone.
  ua::ports::WorktreeFn read = [](const std::filesystem::path&) {};
  const auto tip = run(port.inspect(std::move(read), soon()));
  BOOST_TEST((tip.has_value() && *tip == moved_on));
}

BOOST_AUTO_TEST_CASE(a_passed_deadline_is_a_timeout) {
  ua::ports::WorktreeFn read = [](const std::filesystem::path&) {};
  const auto tip = run(port.inspect(std::move(read), ua::core::Clock::now() - std::chrono::seconds(1)));
  BOOST_REQUIRE(!tip.has_value());
  BOOST_TEST(tip.error().kind == ErrorKind::timeout);
}

BOOST_AUTO_TEST_SUITE_END()
