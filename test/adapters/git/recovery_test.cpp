// What `serve` needs after a crash: the files before a commit (to decide a
// resumed saga again), the revert's SHA, and a clone put back on the tip.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "adapters/git/world.hpp"

namespace git = ua::adapters::git;
using ua::test_git::World;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_recovery)

BOOST_AUTO_TEST_CASE(export_parent_writes_the_tree_before_a_commit_and_leaves_the_clone_alone) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({{ua::test_git::kUpgradeMessage, {"stacks/immich"}},
                                     ua::test_git::bump_immich(ua::test_git::kImmichV2), {}})
                           .sha;
  ua::test_git::TempDir out;
  const auto parent = repo.export_parent(upgrade, out.path());
  BOOST_TEST(parent == world.initial());
  BOOST_TEST(read_text(out.path() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  // The clone still holds the upgrade, clean.
  BOOST_TEST(read_text(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV2);
  BOOST_TEST(repo.head() == upgrade);
  BOOST_CHECK_NO_THROW(repo.sync());

  BOOST_CHECK_THROW(repo.export_parent("abc", out.path()), git::GitError);  // not a full SHA
  BOOST_CHECK_THROW(repo.export_parent(world.initial(), out.path()), git::GitError);  // no parent
}

BOOST_AUTO_TEST_CASE(a_reverted_upgrade_names_its_revert) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({{ua::test_git::kUpgradeMessage, {"stacks/immich"}},
                                     ua::test_git::bump_immich(ua::test_git::kImmichV2), {}})
                           .sha;
  const auto revert = repo.revert(upgrade).sha;
  const auto found = repo.find_recent_upgrade("immich", 10min);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->reverted);
  BOOST_TEST(found->reverted_by == revert);
}

BOOST_AUTO_TEST_CASE(recover_drops_a_dead_sagas_unpushed_commit_stale_locks_and_changes) {
  World world;
  const std::string subject = "upgrade: immich v1.0.0 -> v2.0.0";
  {
    auto repo = git::Repository::open(world.options());
    ua::test_git::bump_immich(ua::test_git::kImmichV2)(world.agent_dir());
    repo.commit({subject + "\n\nRisk: SAFE\n", {"stacks/immich"}});  // committed, never pushed: the process died
  }
  ua::test_git::write_file(world.agent_dir() / ".git/index.lock", "");
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/half-written.tf", "x");

  auto repo = git::Repository::open(world.options());
  BOOST_CHECK_THROW(repo.sync(), git::GitError);  // what a plain start would hit

  // Someone else's commit is never dropped.
  BOOST_CHECK_THROW(repo.recover({"upgrade: something else"}), git::GitError);
  BOOST_TEST(repo.head() != world.remote_master());

  const auto dropped = repo.recover({subject});
  BOOST_TEST(dropped.size() == 1U);
  BOOST_TEST(repo.head() == world.remote_master());
  BOOST_TEST(!std::filesystem::exists(world.agent_dir() / ".git/index.lock"));
  BOOST_TEST(!std::filesystem::exists(world.agent_dir() / "stacks/immich/half-written.tf"));
  BOOST_TEST(read_text(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  BOOST_CHECK_NO_THROW(repo.sync());
}

BOOST_AUTO_TEST_SUITE_END()
