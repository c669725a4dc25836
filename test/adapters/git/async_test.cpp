// The async facade: git work runs on the serial queue, never on the event
// loop's thread, and concurrent sagas' publishes do not interleave.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <thread>

#include "adapters/git/world.hpp"
#include "upgrade_agent/adapters/git/async_repository.hpp"
#include "upgrade_agent/runtime/blocking.hpp"

namespace asio = boost::asio;
namespace git = ua::adapters::git;
using ua::test_git::World;

BOOST_AUTO_TEST_SUITE(git_async)

BOOST_AUTO_TEST_CASE(two_sagas_publish_through_one_queue_without_interleaving) {
  World world;
  asio::io_context io;
  ua::runtime::BlockingPool pool(2);
  ua::runtime::SerialQueue queue(pool);
  git::AsyncRepository repo(queue, world.options());
  const auto io_thread = std::this_thread::get_id();

  std::vector<std::thread::id> edit_threads;
  std::mutex edits_mutex;
  auto edit = [&](const std::string& rel, const std::string& content) {
    return [&, rel, content](const std::filesystem::path& worktree) {
      std::lock_guard lock(edits_mutex);
      edit_threads.push_back(std::this_thread::get_id());
      ua::test_git::write_file(worktree / rel, content);
    };
  };

  auto immich = asio::co_spawn(
      io,
      repo.publish({{ua::test_git::kUpgradeMessage, {"stacks/immich"}},
                    edit("stacks/immich/main.tf", ua::test_git::kImmichV2),
                    {}}),
      asio::use_future);
  auto vaultwarden = asio::co_spawn(
      io,
      repo.publish({{"upgrade: vaultwarden 1.35.4 -> 1.35.5\n", {"stacks/vaultwarden"}},
                    edit("stacks/vaultwarden/main.tf", "image = \"vaultwarden/server:1.35.5\"\n"),
                    {}}),
      asio::use_future);
  io.run();

  const auto first = immich.get();
  const auto second = vaultwarden.get();
  BOOST_TEST(first.attempts == 1U);   // serialized: the second saga synced after the first pushed,
  BOOST_TEST(second.attempts == 1U);  // so neither was rejected
  const auto tip = world.remote_master();
  BOOST_TEST((tip == first.sha || tip == second.sha));
  const auto& later = tip == first.sha ? first : second;
  const auto& earlier = tip == first.sha ? second : first;
  BOOST_TEST((ua::test_git::commit_facts(world.bare(), later.sha).parents == std::vector<std::string>{earlier.sha}));
  BOOST_TEST(ua::test_git::file_at(world.bare(), tip, "stacks/immich/main.tf").value() == ua::test_git::kImmichV2);
  BOOST_TEST(ua::test_git::file_at(world.bare(), tip, "stacks/vaultwarden/main.tf").value().find("1.35.5") !=
             std::string::npos);
  BOOST_TEST(edit_threads.size() == 2U);
  for (const auto& id : edit_threads) BOOST_TEST((id != io_thread));
}

BOOST_AUTO_TEST_CASE(errors_and_queries_come_back_through_co_await) {
  World world;
  asio::io_context io;
  ua::runtime::BlockingPool pool(1);
  ua::runtime::SerialQueue queue(pool);
  git::AsyncRepository repo(queue, world.options());

  auto outcome = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<std::string> {
        const auto synced = co_await repo.sync();
        std::string kind;
        try {
          git::CommitRequest bad{std::string("upgrade: x 1 -> 2 [skip ci]\n"), {std::string("stacks")}};
          co_await repo.commit(std::move(bad));
        } catch (const git::GitError& e) {
          kind = std::string(git::to_string(e.kind()));
        }
        const auto content = co_await repo.read_file_at_tip(std::string("stacks/immich/main.tf"));
        const auto files = co_await repo.list_files_at_tip(std::string("stacks"));
        const auto tip = co_await repo.tip();
        const auto recent = co_await repo.find_recent_upgrade(std::string("immich"), std::chrono::minutes(10));
        std::string summary = kind;
        summary += content == ua::test_git::kImmichV1 ? std::string("|v1") : std::string("|?");
        summary += "|" + std::to_string(files.size());
        summary += tip == synced.tip ? std::string("|tip") : std::string("|?");
        summary += recent ? std::string("|recent") : std::string("|none");
        co_return summary;
      },
      asio::use_future);
  io.run();
  BOOST_TEST(outcome.get() == "invalid_input|v1|2|tip|none");
}

// How a saga calls the facade: requests and edit lambdas built as named
// locals, then co_await'ed (the g++ 12 rule). Every owning capture is
// destroyed exactly once, and all git work runs off the event-loop thread.
BOOST_AUTO_TEST_CASE(a_saga_publishes_and_reverts_through_co_await) {
  World world;
  asio::io_context io;
  ua::runtime::BlockingPool pool(2);
  ua::runtime::SerialQueue queue(pool);
  git::AsyncRepository repo(queue, world.options());
  const auto io_thread = std::this_thread::get_id();
  // Owned only by the edit's captures: expired once every copy is gone (none
  // leaked); a copy destroyed twice would release it early, which ASan reports.
  auto owner = std::make_shared<int>(0);
  const std::weak_ptr<int> watch = owner;
  std::vector<std::thread::id> work_threads;  // written by one queued job at a time

  auto saga = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<std::string> {
        std::string content(ua::test_git::kImmichV2);  // heap-allocated: a double free would show under ASan
        auto edit = [content, guard = std::move(owner), &work_threads](const std::filesystem::path& worktree) {
          work_threads.push_back(std::this_thread::get_id());
          ua::test_git::write_file(worktree / "stacks/immich/main.tf", content);
        };
        git::PublishRequest request{{ua::test_git::kUpgradeMessage, {"stacks/immich"}}, std::move(edit), {}};
        const auto pushed = co_await repo.publish(std::move(request));

        std::string seen_head;
        std::function<void(git::Repository&)> look = [&seen_head, &work_threads](git::Repository& clone) {
          work_threads.push_back(std::this_thread::get_id());
          seen_head = clone.head();
        };
        co_await repo.with_repository(std::move(look));
        if (seen_head != pushed.sha) co_return "head " + seen_head + " is not the pushed " + pushed.sha;

        std::string sha = pushed.sha;
        const auto reverted = co_await repo.revert(std::move(sha));
        std::string stack("immich");
        const auto recent = co_await repo.find_recent_upgrade(std::move(stack), std::chrono::minutes(10));
        if (!recent || recent->commit.sha != pushed.sha || !recent->reverted) co_return std::string("not marked reverted");
        co_return reverted.sha;
      },
      asio::use_future);
  io.run();

  const auto reverted = saga.get();
  BOOST_TEST(world.remote_master() == reverted);
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted, "stacks/immich/main.tf").value() == ua::test_git::kImmichV1);
  BOOST_TEST(watch.expired());
  BOOST_TEST(work_threads.size() == 2U);
  for (const auto& id : work_threads) BOOST_TEST((id != io_thread));
}

BOOST_AUTO_TEST_CASE(opening_a_missing_clone_fails_on_first_use) {
  World world;
  asio::io_context io;
  ua::runtime::BlockingPool pool(1);
  ua::runtime::SerialQueue queue(pool);
  auto options = world.options();
  options.repo = world.tmp() / "missing";
  git::AsyncRepository repo(queue, options);
  auto result = asio::co_spawn(io, repo.fetch(), asio::use_future);
  io.run();
  BOOST_CHECK_EXCEPTION(result.get(), git::GitError,
                        [](const git::GitError& e) { return e.kind() == git::ErrorKind::not_found; });
}

BOOST_AUTO_TEST_SUITE_END()
