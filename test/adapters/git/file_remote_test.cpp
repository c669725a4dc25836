// The agent's clone against a bare repository over file://: real pushes,
// real rejections, real reverts.
#include <boost/test/unit_test.hpp>

#include "adapters/git/world.hpp"
#include "upgrade_agent/adapters/git/repository.hpp"

namespace git = ua::adapters::git;
using ua::test_git::World;

namespace {

git::GitError expect_git_error(const std::function<void()>& action, git::ErrorKind kind) {
  try {
    action();
  } catch (const git::GitError& e) {
    BOOST_TEST_MESSAGE(git::to_string(kind) << ": " << e.what());
    BOOST_CHECK(e.kind() == kind);
    return e;
  }
  BOOST_FAIL("expected a GitError of kind " << git::to_string(kind));
  throw std::logic_error("unreachable");
}

git::CommitRequest immich_request() { return {ua::test_git::kUpgradeMessage, {"stacks/immich"}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(git_file_remote)

BOOST_AUTO_TEST_CASE(commit_and_push_lands_on_the_remote_with_the_seed_identity) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto synced = repo.sync();
  BOOST_TEST(synced.tip == world.initial());

  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto sha = repo.commit(immich_request());
  BOOST_TEST(world.remote_master() == world.initial());  // committing pushes nothing

  int reapplied = 0;
  const auto pushed = repo.push_with_retry(immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2, &reapplied));
  BOOST_TEST(pushed.sha == sha);
  BOOST_TEST(pushed.attempts == 1U);
  BOOST_TEST(reapplied == 0);
  BOOST_TEST(world.remote_master() == sha);
  BOOST_TEST(repo.tip() == sha);

  const auto facts = ua::test_git::commit_facts(world.bare(), sha);
  BOOST_TEST(facts.message == ua::test_git::kUpgradeMessage);
  BOOST_TEST(facts.author == git::default_identity().to_string());
  BOOST_TEST(facts.committer == git::default_identity().to_string());
  BOOST_TEST(facts.author.rfind("Service Upgrade Agent <noreply@", 0) == 0U);
  BOOST_TEST((facts.parents == std::vector<std::string>{world.initial()}));
  BOOST_TEST(ua::test_git::file_at(world.bare(), sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV2);
  BOOST_TEST(ua::test_git::file_at(world.bare(), sha, "stacks/vaultwarden/main.tf").value() == ua::test_git::kVaultwarden);
}

BOOST_AUTO_TEST_CASE(commit_stages_only_the_given_paths_including_deletions) {
  World world;
  auto options = world.options();
  options.author = {"Alice Agent", "alice@example.com"};
  options.committer = {"Carl Committer", "carl@example.com"};
  auto repo = git::Repository::open(options);
  repo.sync();
  std::filesystem::remove(repo.worktree() / "stacks/vaultwarden/main.tf");
  ua::test_git::write_file(repo.worktree() / "stacks/vaultwarden/values.yaml", "image:\n  tag: 1.35.5\n");
  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);  // not in paths
  const auto sha = repo.commit({"upgrade: vaultwarden 1.35.4 -> 1.35.5\n", {"stacks/vaultwarden/"}});

  const auto facts = ua::test_git::commit_facts(world.agent_dir(), sha);
  BOOST_TEST(facts.author == "Alice Agent <alice@example.com>");
  BOOST_TEST(facts.committer == "Carl Committer <carl@example.com>");
  BOOST_TEST(!ua::test_git::file_at(world.agent_dir(), sha, "stacks/vaultwarden/main.tf").has_value());
  BOOST_TEST(ua::test_git::file_at(world.agent_dir(), sha, "stacks/vaultwarden/values.yaml").value() ==
             "image:\n  tag: 1.35.5\n");
  BOOST_TEST(ua::test_git::file_at(world.agent_dir(), sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV1);
}

BOOST_AUTO_TEST_CASE(a_plain_path_remote_works_too) {
  World world;
  auto agent = ua::test_git::open_repo(world.agent_dir());
  ua::test_git::ok(git_remote_set_url(agent.get(), "origin", world.bare().c_str()), "set-url");
  auto repo = git::Repository::open(world.options());
  const auto pushed = repo.publish({immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2), {}});
  BOOST_TEST(world.remote_master() == pushed.sha);
}

BOOST_AUTO_TEST_CASE(a_rejected_push_is_reapplied_on_top_of_the_other_commit) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto first = repo.commit(immich_request());

  // CI pushes its state commit before the agent gets to push.
  auto ci = world.other("ci");
  const auto ci_commit = ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] terraform state");

  int reapplied = 0;
  const auto pushed = repo.push_with_retry(immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2, &reapplied));
  BOOST_TEST(pushed.attempts == 2U);
  BOOST_TEST(reapplied == 1);
  BOOST_TEST(pushed.sha != first);
  BOOST_TEST(world.remote_master() == pushed.sha);
  const auto facts = ua::test_git::commit_facts(world.bare(), pushed.sha);
  BOOST_TEST((facts.parents == std::vector<std::string>{ci_commit}));  // on top, not a merge
  BOOST_TEST(facts.message == ua::test_git::kUpgradeMessage);
  BOOST_TEST(ua::test_git::file_at(world.bare(), pushed.sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV2);
  BOOST_TEST(ua::test_git::file_at(world.bare(), pushed.sha, "state/ci.txt").value() == "state 1\n");
  BOOST_TEST(repo.head() == pushed.sha);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "state/ci.txt") == "state 1\n");  // worktree moved too
}

BOOST_AUTO_TEST_CASE(publish_reapplies_when_ci_races_between_edit_and_push) {
  World world;
  auto repo = git::Repository::open(world.options());
  auto ci = world.other("ci");
  int calls = 0;
  std::string ci_commit;
  git::PublishRequest request{immich_request(), [&](const std::filesystem::path& worktree) {
                                ++calls;
                                if (calls == 1) ci_commit = ci.push_change("state/ci.txt", "state 9\n", "[CI SKIP] state");
                                ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
                              },
                              {}};
  const auto pushed = repo.publish(request);
  BOOST_TEST(calls == 2);
  BOOST_TEST(pushed.attempts == 2U);
  BOOST_TEST((ua::test_git::commit_facts(world.bare(), pushed.sha).parents == std::vector<std::string>{ci_commit}));
}

BOOST_AUTO_TEST_CASE(three_rejections_in_a_row_fail_cleanly) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  repo.commit(immich_request());

  auto ci = world.other("ci");
  int state = 0;
  auto race = [&] { return ci.push_change("state/ci.txt", "state " + std::to_string(++state) + "\n", "[CI SKIP] state"); };
  std::string last_ci = race();  // rejection 1
  int reapplied = 0;
  auto reapply = [&](const std::filesystem::path& worktree) {
    ++reapplied;
    last_ci = race();  // CI wins again: rejections 2 and 3
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  };
  const auto error = expect_git_error([&] { repo.push_with_retry(immich_request(), reapply); },
                                      git::ErrorKind::retries_exhausted);
  BOOST_TEST(std::string(error.what()).find("3 times") != std::string::npos);
  BOOST_TEST(error.remote() == "origin");
  BOOST_TEST(reapplied == 2);
  BOOST_TEST(world.remote_master() == last_ci);  // CI's history intact, nothing of ours on it
  BOOST_TEST(ua::test_git::file_at(world.bare(), last_ci, "stacks/immich/main.tf").value() == ua::test_git::kImmichV1);

  // The clone is put back, clean, on the tip it last fetched: the next sync
  // needs to know nothing about the failed commits.
  BOOST_TEST(repo.head() == repo.tip());
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  const auto synced = repo.sync();
  BOOST_TEST(synced.tip == last_ci);
  BOOST_TEST(synced.discarded.empty());
  BOOST_TEST(repo.head() == last_ci);
}

BOOST_AUTO_TEST_CASE(a_failing_publish_leaves_the_clone_clean_on_the_tip) {
  World world;
  auto repo = git::Repository::open(world.options());
  // The edit half-writes and throws.
  auto broken = [](const std::filesystem::path& worktree) {
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", "half-written");
    ua::test_git::write_file(worktree / "stacks/immich/extra.tf", "new file");
    throw std::runtime_error("the terraform edit failed");
  };
  BOOST_CHECK_THROW(repo.publish({immich_request(), broken, {}}), std::runtime_error);
  BOOST_TEST(repo.head() == world.initial());
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  // A file the edit created is removed too, or the next sync would refuse it.
  const bool leftover = std::filesystem::exists(world.agent_dir() / "stacks/immich/extra.tf");
  BOOST_TEST(!leftover);

  // The edit succeeds but the re-applied one throws after a rejection.
  auto ci = world.other("ci");
  int calls = 0;
  auto flaky = [&](const std::filesystem::path& worktree) {
    if (++calls == 1) {
      ci.push_change("state/ci.txt", "state 7\n", "[CI SKIP] state");
      ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
      return;
    }
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", "half");
    throw std::runtime_error("re-apply failed");
  };
  BOOST_CHECK_THROW(repo.publish({immich_request(), flaky, {}}), std::runtime_error);
  BOOST_TEST(calls == 2);
  BOOST_TEST(repo.head() == repo.tip());
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
  BOOST_TEST(repo.sync().discarded.empty());
}

BOOST_AUTO_TEST_CASE(an_edit_outside_the_commits_paths_is_refused_before_the_push) {
  World world;
  auto repo = git::Repository::open(world.options());
  // The edit also moves a values file the caller forgot to list: pushing
  // only main.tf would ship half an upgrade and leave the clone dirty.
  auto too_wide = [](const std::filesystem::path& worktree) {
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
    ua::test_git::write_file(worktree / "stacks/vaultwarden/main.tf", "changed too\n");
    ua::test_git::write_file(worktree / "stacks/new/values.yaml", "tag: v2\n");
  };
  const auto error = expect_git_error([&] { repo.publish({immich_request(), too_wide, {}}); },
                                      git::ErrorKind::invalid_input);
  BOOST_TEST(std::string(error.what()).find("stacks/vaultwarden/main.tf") != std::string::npos);
  BOOST_TEST(std::string(error.what()).find("stacks/new/values.yaml") != std::string::npos);
  BOOST_TEST(world.remote_master() == world.initial());
  BOOST_TEST(repo.head() == world.initial());
  BOOST_TEST((ua::test_git::worktree_files(world.agent_dir()) ==
              ua::test_git::worktree_files(world.other("fresh").dir())));
  BOOST_TEST(repo.sync().discarded.empty());

  // The same rule holds for the edit re-applied after a rejection.
  auto ci = world.other("ci");
  int calls = 0;
  auto wide_on_retry = [&](const std::filesystem::path& worktree) {
    if (++calls == 1) ci.push_change("state/ci.txt", "state 3\n", "[CI SKIP] state");
    ua::test_git::write_file(worktree / "stacks/immich/main.tf", ua::test_git::kImmichV2);
    if (calls > 1) ua::test_git::write_file(worktree / "stray.txt", "left behind\n");
  };
  expect_git_error([&] { repo.publish({immich_request(), wide_on_retry, {}}); }, git::ErrorKind::invalid_input);
  BOOST_TEST(calls == 2);
  BOOST_TEST(world.remote_master() == repo.tip());  // CI's commit, nothing of ours
  BOOST_TEST(ua::test_git::file_at(world.bare(), world.remote_master(), "stacks/immich/main.tf").value() ==
             ua::test_git::kImmichV1);
  BOOST_TEST(repo.head() == repo.tip());
  BOOST_TEST(!std::filesystem::exists(world.agent_dir() / "stray.txt"));
}

BOOST_AUTO_TEST_CASE(a_dirty_clone_is_refused_and_nothing_is_lost) {
  World world;
  auto ci = world.other("ci");
  ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] state");
  auto repo = git::Repository::open(world.options());
  const auto head_before = repo.head();
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/main.tf", "someone's work in progress\n");
  ua::test_git::write_file(world.agent_dir() / "notes/todo.txt", "untracked notes\n");

  const auto error = expect_git_error([&] { repo.sync(); }, git::ErrorKind::refused);
  const std::string text = error.what();
  BOOST_TEST(text.find("stacks/immich/main.tf") != std::string::npos);
  BOOST_TEST(text.find("notes/todo.txt") != std::string::npos);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == "someone's work in progress\n");
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "notes/todo.txt") == "untracked notes\n");
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "state/ci.txt") == "state 0\n");
  BOOST_TEST(repo.head() == head_before);
  // publish refuses the same way before calling the edit.
  bool edited = false;
  expect_git_error([&] { repo.publish({immich_request(), [&](const std::filesystem::path&) { edited = true; }, {}}); },
                   git::ErrorKind::refused);
  BOOST_TEST(!edited);
}

BOOST_AUTO_TEST_CASE(a_staged_change_or_a_merge_in_progress_is_refused) {
  World world;
  auto repo = git::Repository::open(world.options());
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/main.tf", "staged by hand\n");
  {
    auto agent = ua::test_git::open_repo(world.agent_dir());
    git_index* index = nullptr;
    ua::test_git::ok(git_repository_index(&index, agent.get()), "index");
    const int added = git_index_add_bypath(index, "stacks/immich/main.tf");
    const int written = git_index_write(index);
    git_index_free(index);
    ua::test_git::ok(added, "add");
    ua::test_git::ok(written, "write index");
  }
  auto error = expect_git_error([&] { repo.sync(); }, git::ErrorKind::refused);
  BOOST_TEST(std::string(error.what()).find("staged stacks/immich/main.tf") != std::string::npos);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == "staged by hand\n");

  World other_world;
  auto clean = git::Repository::open(other_world.options());
  ua::test_git::write_file(other_world.agent_dir() / ".git/MERGE_HEAD", other_world.initial() + "\n");
  error = expect_git_error([&] { clean.sync(); }, git::ErrorKind::refused);
  BOOST_TEST(std::string(error.what()).find("a merge is in progress") != std::string::npos);
  BOOST_TEST(std::filesystem::exists(other_world.agent_dir() / ".git/MERGE_HEAD"));
}

BOOST_AUTO_TEST_CASE(unknown_local_commits_are_refused_by_name_known_ones_dropped) {
  World world;
  auto repo = git::Repository::open(world.options());
  // Someone committed in the agent's clone by hand.
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/main.tf", ua::test_git::kImmichV3);
  auto by_hand = [&] {
    git::CommitRequest request{"hand-made bump of immich\n", {"stacks/immich/main.tf"}};
    return repo.commit(request);
  }();
  const auto error = expect_git_error([&] { repo.sync(); }, git::ErrorKind::refused);
  BOOST_TEST(std::string(error.what()).find(by_hand.substr(0, 12)) != std::string::npos);
  BOOST_TEST(std::string(error.what()).find("hand-made bump of immich") != std::string::npos);
  BOOST_TEST(repo.head() == by_hand);
  expect_git_error([&] { repo.sync({"abc"}); }, git::ErrorKind::invalid_input);

  const auto synced = repo.sync({by_hand});
  BOOST_TEST((synced.discarded == std::vector<std::string>{by_hand}));
  BOOST_TEST(repo.head() == world.initial());
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);
}

BOOST_AUTO_TEST_CASE(a_clone_on_another_branch_or_detached_is_refused) {
  World world;
  auto agent = ua::test_git::open_repo(world.agent_dir());
  ua::test_git::ok(git_repository_set_head(agent.get(), "refs/heads/feature"), "set head");
  auto repo = git::Repository::open(world.options());
  auto error = expect_git_error([&] { repo.sync(); }, git::ErrorKind::refused);
  BOOST_TEST(std::string(error.what()).find("refs/heads/feature") != std::string::npos);

  git_oid oid;
  ua::test_git::ok(git_oid_fromstr(&oid, world.initial().c_str()), "oid");
  ua::test_git::ok(git_repository_set_head_detached(agent.get(), &oid), "detach");
  error = expect_git_error([&] { repo.sync(); }, git::ErrorKind::refused);
  BOOST_TEST(std::string(error.what()).find("detached") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ci_skip_in_a_message_is_refused_and_nothing_is_committed) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  for (const std::string message : {"upgrade: immich v1.0.0 -> v2.0.0 [CI SKIP]\n", "upgrade: x 1 -> 2\n\n[skip ci]\n",
                                    "upgrade: x 1 -> 2 [Ci-Skip]\n", "upgrade: x 1 -> 2\n\n***NO_CI***\n",
                                    "upgrade: x 1 -> 2\n\n\nskip-checks: true\n"}) {
    BOOST_TEST_CONTEXT(message) {
      const auto error = expect_git_error([&] { repo.commit({message, {"stacks/immich"}}); }, git::ErrorKind::invalid_input);
      BOOST_TEST(std::string(error.what()).find("CI skip") != std::string::npos);
      BOOST_TEST(repo.head() == world.initial());
    }
  }
  // The edit is still there, unstaged, for a correct commit.
  const auto sha = repo.commit(immich_request());
  BOOST_TEST(ua::test_git::file_at(world.agent_dir(), sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV2);
  // A revert message is held to the same rule.
  expect_git_error([&] { repo.revert(sha, {sha}, "Revert [skip ci]\n"); }, git::ErrorKind::invalid_input);
}

BOOST_AUTO_TEST_CASE(bad_paths_and_empty_changes_are_refused) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {"../outside"}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {"/etc/passwd"}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {"stacks/*"}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {".git/config"}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"   \n", {"stacks"}}); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.commit({"upgrade: x 1 -> 2\n", {"stacks/immich"}}); }, git::ErrorKind::nothing_to_commit);
  // An edit the tip already holds: publish says so instead of pushing an empty commit.
  git::PublishRequest already_there;
  already_there.commit = immich_request();
  already_there.edit = ua::test_git::bump_immich(ua::test_git::kImmichV1);
  expect_git_error([&] { repo.publish(already_there); }, git::ErrorKind::nothing_to_commit);
  BOOST_TEST(world.remote_master() == world.initial());
}

BOOST_AUTO_TEST_CASE(open_rejects_missing_repos_remotes_and_bad_names) {
  World world;
  auto options = world.options();
  options.repo = world.tmp() / "nowhere";
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::not_found);
  options = world.options();
  options.repo = world.bare();
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::refused);
  options = world.options();
  options.remote = "upstream";
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::not_found);
  options = world.options();
  options.branch = "bad..name";
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::invalid_input);
  options = world.options();
  options.author = {"Evil <x>", "a@b"};
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::invalid_input);
  // A subfolder of a clone is not a clone (no upward search).
  options = world.options();
  options.repo = world.agent_dir() / "stacks";
  expect_git_error([&] { (void)git::Repository::open(options); }, git::ErrorKind::not_found);
}

BOOST_AUTO_TEST_CASE(the_remote_branch_must_exist) {
  World world;
  auto options = world.options();
  options.branch = "production";
  auto repo = git::Repository::open(options);
  expect_git_error([&] { repo.fetch(); }, git::ErrorKind::not_found);
}

BOOST_AUTO_TEST_CASE(a_passed_deadline_stops_network_work_before_it_starts) {
  World world;
  auto repo = git::Repository::open(world.options());
  expect_git_error([&] { repo.sync({}, std::chrono::steady_clock::now() - std::chrono::seconds(1)); },
                   git::ErrorKind::timeout);
  BOOST_TEST(repo.tip() == world.initial());  // from the clone, untouched
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(revert_on_file_remote)

BOOST_AUTO_TEST_CASE(revert_after_interleaved_ci_skip_commits_undoes_only_the_upgrade) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2), {}}).sha;

  auto ci = world.other("ci");
  ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] terraform state after immich");
  auto human = world.other("human");
  human.push_change("stacks/vaultwarden/main.tf", "resource \"x\" \"vw\" {\n  image = \"vaultwarden/server:1.35.5\"\n}\n",
                    "upgrade: vaultwarden 1.35.4 -> 1.35.5");
  const auto last_ci = ci.push_change("state/ci.txt", "state 2\n", "[CI SKIP] terraform state after vaultwarden");

  const auto reverted = repo.revert(upgrade);
  BOOST_TEST(reverted.attempts == 1U);
  BOOST_TEST(world.remote_master() == reverted.sha);
  const auto facts = ua::test_git::commit_facts(world.bare(), reverted.sha);
  BOOST_TEST((facts.parents == std::vector<std::string>{last_ci}));
  BOOST_TEST(facts.message == "Revert \"upgrade: immich v1.0.0 -> v2.0.0\"\n\nThis reverts commit " + upgrade + ".\n");
  BOOST_TEST(facts.author == git::default_identity().to_string());
  // The upgrade is undone; CI's state and the other upgrade are kept.
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted.sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV1);
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted.sha, "state/ci.txt").value() == "state 2\n");
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted.sha, "stacks/vaultwarden/main.tf").value().find("1.35.5") !=
             std::string::npos);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "stacks/immich/main.tf") == ua::test_git::kImmichV1);

  // Reverting again has nothing left to undo.
  expect_git_error([&] { repo.revert(upgrade); }, git::ErrorKind::nothing_to_commit);
  BOOST_TEST(world.remote_master() == reverted.sha);
}

BOOST_AUTO_TEST_CASE(a_conflicting_revert_is_critical_and_changes_nothing) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2), {}}).sha;
  auto human = world.other("human");
  const auto moved_on = human.push_change("stacks/immich/main.tf", ua::test_git::kImmichV3, "upgrade: immich v2.0.0 -> v3.0.0");
  repo.sync();

  const auto head_before = repo.head();
  const auto tip_before = repo.tip();
  const auto files_before = ua::test_git::worktree_files(world.agent_dir());
  const auto index_before = ua::test_git::read_file(world.agent_dir() / ".git/index");

  const auto error = expect_git_error([&] { repo.revert(upgrade); }, git::ErrorKind::revert_conflict);
  BOOST_TEST(error.critical());
  BOOST_TEST(std::string(error.what()).rfind("CRITICAL", 0) == 0);
  BOOST_TEST(std::string(error.what()).find("stacks/immich/main.tf") != std::string::npos);

  BOOST_TEST(repo.head() == head_before);
  BOOST_TEST(repo.tip() == tip_before);
  BOOST_TEST(world.remote_master() == moved_on);
  BOOST_TEST((ua::test_git::worktree_files(world.agent_dir()) == files_before));
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / ".git/index") == index_before);
  BOOST_TEST(!std::filesystem::exists(world.agent_dir() / ".git/REVERT_HEAD"));
  BOOST_TEST(!std::filesystem::exists(world.agent_dir() / ".git/MERGE_MSG"));
  repo.sync();  // still a clean, usable clone
}

BOOST_AUTO_TEST_CASE(reverting_a_commit_not_on_the_branch_or_a_bad_sha_is_refused) {
  World world;
  auto repo = git::Repository::open(world.options());
  repo.sync();
  expect_git_error([&] { repo.revert("1234"); }, git::ErrorKind::invalid_input);
  expect_git_error([&] { repo.revert(std::string(40, 'a')); }, git::ErrorKind::not_found);
  // A commit that exists in the clone but never reached the remote branch.
  ua::test_git::write_file(repo.worktree() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto local = repo.commit(immich_request());
  expect_git_error([&] { repo.revert(local, {local}); }, git::ErrorKind::not_found);
  BOOST_TEST(world.remote_master() == world.initial());
}

// The agent's upgrade commits have one parent; a merge has no single change
// to undo without choosing a mainline, so it is refused rather than guessed.
BOOST_AUTO_TEST_CASE(reverting_a_merge_commit_is_refused_and_changes_nothing) {
  World world;
  auto human = world.other("human");
  human.push_change("state/ci.txt", "state 1\n", "[CI SKIP] state");
  const auto merge = human.commit_merge("Merge branch 'side'", world.initial());
  human.push();
  auto repo = git::Repository::open(world.options());
  const auto error = expect_git_error([&] { repo.revert(merge); }, git::ErrorKind::invalid_input);
  BOOST_TEST(std::string(error.what()).find("merge") != std::string::npos);
  BOOST_TEST(world.remote_master() == merge);
  BOOST_TEST(repo.head() == world.initial());  // the clone was not moved
}

BOOST_AUTO_TEST_CASE(a_dirty_clone_is_refused_before_reverting) {
  World world;
  auto repo = git::Repository::open(world.options());
  const auto upgrade = repo.publish({immich_request(), ua::test_git::bump_immich(ua::test_git::kImmichV2), {}}).sha;
  ua::test_git::write_file(world.agent_dir() / "scratch.txt", "mine\n");
  expect_git_error([&] { repo.revert(upgrade); }, git::ErrorKind::refused);
  BOOST_TEST(world.remote_master() == upgrade);
  BOOST_TEST(ua::test_git::read_file(world.agent_dir() / "scratch.txt") == "mine\n");
}

BOOST_AUTO_TEST_SUITE_END()
