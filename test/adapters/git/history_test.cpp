// History queries the saga asks: a recent upgrade of the same stack
// (follow-ups) and file contents at the fetched remote tip.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "adapters/git/world.hpp"

namespace git = ua::adapters::git;
using ua::test_git::World;
using namespace std::chrono_literals;

namespace {

git_time_t seconds_ago(std::chrono::seconds age) {
  return std::chrono::duration_cast<std::chrono::seconds>((std::chrono::system_clock::now() - age).time_since_epoch())
      .count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_history)

BOOST_AUTO_TEST_CASE(recent_upgrade_of_a_stack_within_the_window) {
  World world;
  auto other = world.other("history");
  other.write("stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto old_upgrade = other.commit_all("upgrade: immich v1.0.0 -> v2.0.0\n\nRisk: SAFE\n", seconds_ago(30min));
  other.write("stacks/immich/main.tf", ua::test_git::kImmichV3);
  const auto recent = other.commit_all("upgrade: immich v2.0.0 -> v3.0.0\n\nRisk: SAFE\n", seconds_ago(4min));
  other.write("state/ci.txt", "state 5\n");
  other.commit_all("[CI SKIP] state", seconds_ago(3min));
  other.write("stacks/vaultwarden/main.tf", "changed\n");
  other.commit_all("upgrade: immich-ml v1 -> v2\n", seconds_ago(2min));  // another stack sharing the prefix
  other.push();

  auto repo = git::Repository::open(world.options());
  BOOST_TEST(!repo.find_recent_upgrade("immich", 10min).has_value());  // not fetched yet: the clone's own view
  repo.fetch();

  const auto found = repo.find_recent_upgrade("immich", 10min);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->commit.sha == recent);
  BOOST_TEST(found->commit.subject == "upgrade: immich v2.0.0 -> v3.0.0");
  BOOST_TEST(found->commit.author == "CI Bot <ci@example.com>");
  BOOST_TEST(!found->reverted);
  const auto age = std::chrono::system_clock::now() - found->commit.time;
  BOOST_TEST((age > 3min && age < 5min));

  BOOST_TEST(!repo.find_recent_upgrade("immich", 3min).has_value());  // window shorter than its age
  const auto wide = repo.find_recent_upgrade("immich", 1h);
  BOOST_REQUIRE(wide.has_value());
  BOOST_TEST(wide->commit.sha == recent);  // the newest, not the first ever
  BOOST_TEST(repo.find_recent_upgrade("immich-ml", 10min).has_value());
  BOOST_TEST(!repo.find_recent_upgrade("imm", 1h).has_value());
  BOOST_TEST(!repo.find_recent_upgrade("vaultwarden", 1h).has_value());
  (void)old_upgrade;
}

BOOST_AUTO_TEST_CASE(a_reverted_upgrade_is_marked) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({{ua::test_git::kUpgradeMessage, {"stacks/immich"}},
                                     ua::test_git::bump_immich(ua::test_git::kImmichV2),
                                     {}})
                           .sha;
  auto found = repo.find_recent_upgrade("immich", 10min);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->commit.sha == upgrade);
  BOOST_TEST(!found->reverted);
  repo.revert(upgrade);
  found = repo.find_recent_upgrade("immich", 10min);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->commit.sha == upgrade);
  BOOST_TEST(found->reverted);
}

BOOST_AUTO_TEST_CASE(files_at_the_tip_without_touching_the_worktree) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  auto human = world.other("human");
  human.pull();
  human.write("stacks/immich/main.tf", ua::test_git::kImmichV3);
  human.write("stacks/immich/values/ml.yaml", "image:\n  tag: v3.0.0\n");
  human.commit_all("upgrade: immich v1.0.0 -> v3.0.0");
  human.push();

  repo.fetch();
  BOOST_TEST(repo.read_file_at_tip("stacks/immich/main.tf").value() == ua::test_git::kImmichV3);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  BOOST_TEST(!repo.read_file_at_tip("stacks/absent/main.tf").has_value());
  BOOST_TEST((repo.list_files_at_tip("stacks/immich") ==
              std::vector<std::string>{"stacks/immich/main.tf", "stacks/immich/values/ml.yaml"}));
  BOOST_TEST((repo.list_files_at_tip("") ==
              std::vector<std::string>{"stacks/immich/main.tf", "stacks/immich/values/ml.yaml",
                                       "stacks/vaultwarden/main.tf", "state/ci.txt"}));
  BOOST_TEST(repo.list_files_at_tip("nothing/here").empty());
  BOOST_CHECK_THROW(repo.read_file_at_tip("stacks/immich"), git::GitError);
  BOOST_CHECK_THROW(repo.read_file_at_tip("../etc/passwd"), git::GitError);
  BOOST_CHECK_THROW(repo.list_files_at_tip("state/ci.txt"), git::GitError);

  const auto info = repo.describe(repo.tip());
  BOOST_TEST(info.subject == "upgrade: immich v1.0.0 -> v3.0.0");
}

BOOST_AUTO_TEST_SUITE_END()
