// Smart HTTP against a real web server (lighttpd + git http-backend, basic
// auth) on 127.0.0.1: tokens, refusals, server-side rejections, and the rule
// that no token ever reaches a log line or an error message.
#include <boost/test/unit_test.hpp>

#include "adapters/git/world.hpp"
#include "sandbox/git_http/git_http_server.hpp"

namespace git = ua::adapters::git;
namespace fs = std::filesystem;
using ua::test_git::Scratch;

namespace {

constexpr char kToken[] = "ghp_R1ghtT0kenV4lue9c2e";
constexpr char kWrongToken[] = "ghp_Wr0ngT0kenV4lue77aa";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void write_hook(const fs::path& bare, const std::string& name, const std::string& script) {
  ua::test_git::write_file(bare / "hooks" / name, script);
  fs::permissions(bare / "hooks" / name, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

class HttpWorld {
 public:
  HttpWorld() {
    bare_ = tmp_.path() / "repos" / "infra.git";
    fs::create_directories(bare_.parent_path());
    ua::test_git::init_bare(bare_);
    auto seed = Scratch::clone("file://" + bare_.string(), tmp_.path() / "seed");
    seed.write("stacks/immich/main.tf", ua::test_git::kImmichV1);
    seed.write("state/ci.txt", "state 0\n");
    seed.commit_all("initial import");
    seed.push();
    server_ = std::make_unique<ua::sandbox::git_http::Server>(
        ua::sandbox::git_http::ServerOptions{tmp_.path() / "repos", "x-access-token", kToken, {}, {}});
    agent_dir_ = tmp_.path() / "agent";
    (void)Scratch::clone("file://" + bare_.string(), agent_dir_);
    set_agent_url(url());
  }

  [[nodiscard]] std::string url() const { return server_->url("infra.git"); }
  void set_agent_url(const std::string& url) const {
    auto repo = ua::test_git::open_repo(agent_dir_);
    ua::test_git::ok(git_remote_set_url(repo.get(), "origin", url.c_str()), "set-url");
  }
  [[nodiscard]] git::GitOptions options(const std::string& token) const {
    git::GitOptions options;
    options.repo = agent_dir_;
    options.https_token = ua::config::Secret(token);
    options.network_timeout = std::chrono::seconds(60);
    return options;
  }
  [[nodiscard]] std::string remote_master() const { return ua::test_git::resolve(bare_, "refs/heads/master"); }
  [[nodiscard]] const fs::path& bare() const { return bare_; }
  [[nodiscard]] const fs::path& agent_dir() const { return agent_dir_; }
  [[nodiscard]] ua::sandbox::git_http::Server& server() const { return *server_; }
  Scratch other(const std::string& name) const {
    return Scratch::clone(url(), tmp_.path() / name, ua::test_git::Creds{"x-access-token", kToken});
  }

 private:
  ua::test_git::TempDir tmp_;
  fs::path bare_;
  fs::path agent_dir_;
  std::unique_ptr<ua::sandbox::git_http::Server> server_;
};

git::PublishRequest immich_publish(int* calls = nullptr) {
  git::PublishRequest request;
  request.commit = {ua::test_git::kUpgradeMessage, {"stacks/immich"}};
  request.edit = ua::test_git::bump_immich(ua::test_git::kImmichV2, calls);
  return request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_smart_http)

BOOST_AUTO_TEST_CASE(push_with_the_right_token_works_and_logs_no_token) {
  HttpWorld world;
  ua::test_git::LogCapture log;
  auto repo = git::Repository::open(world.options(kToken));
  const auto pushed = repo.publish(immich_publish());
  BOOST_TEST(pushed.attempts == 1U);
  BOOST_TEST(world.remote_master() == pushed.sha);
  BOOST_TEST(ua::test_git::file_at(world.bare(), pushed.sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV2);
  const auto lines = log.text();
  BOOST_TEST(lines.find("pushed") != std::string::npos);  // the capture does see the adapter's lines
  BOOST_TEST(lines.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_wrong_token_fails_once_naming_the_remote_never_the_token) {
  HttpWorld world;
  ua::test_git::LogCapture log;
  // The clone is in sync and holds a commit to push (made with the right token).
  auto good = git::Repository::open(world.options(kToken));
  good.sync();
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto local = good.commit({ua::test_git::kUpgradeMessage, {"stacks/immich"}});
  const auto refusals_before = count(world.server().log(), "password doesn't match");

  auto bad = git::Repository::open(world.options(kWrongToken));
  std::string message;
  try {
    bad.push_with_retry({ua::test_git::kUpgradeMessage, {"stacks/immich"}}, ua::test_git::bump_immich(ua::test_git::kImmichV2));
    BOOST_FAIL("a push with a wrong token succeeded");
  } catch (const git::GitError& e) {
    BOOST_TEST((e.kind() == git::ErrorKind::auth));
    BOOST_TEST(e.remote() == "origin");
    message = e.what();
    BOOST_TEST_MESSAGE("wrong token: " << message);
  }
  BOOST_TEST(message.find("origin") != std::string::npos);
  BOOST_TEST(message.find("127.0.0.1:" + std::to_string(world.server().port())) != std::string::npos);
  BOOST_TEST(message.find("GITHUB_TOKEN") != std::string::npos);
  BOOST_TEST(message.find(kWrongToken) == std::string::npos);
  BOOST_TEST(message.find(kToken) == std::string::npos);
  // One refused attempt, not libgit2's endless credential loop.
  BOOST_TEST(count(world.server().log(), "password doesn't match") - refusals_before == 1U);
  BOOST_TEST(world.remote_master() != local);

  // Fetching with the wrong token fails the same way.
  try {
    bad.sync({local});
    BOOST_FAIL("a fetch with a wrong token succeeded");
  } catch (const git::GitError& e) {
    BOOST_TEST((e.kind() == git::ErrorKind::auth));
    BOOST_TEST(std::string(e.what()).find(kWrongToken) == std::string::npos);
  }
  const auto lines = log.text();
  BOOST_TEST(!lines.empty());
  BOOST_TEST(lines.find(kWrongToken) == std::string::npos);
  BOOST_TEST(lines.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_token_is_an_auth_error_that_says_so) {
  HttpWorld world;
  auto repo = git::Repository::open(world.options(""));
  BOOST_CHECK_EXCEPTION(repo.sync(), git::GitError, [](const git::GitError& e) {
    return e.kind() == git::ErrorKind::auth && std::string(e.what()).find("GITHUB_TOKEN is empty") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(a_token_inside_the_remote_url_never_reaches_logs_or_errors) {
  HttpWorld world;
  ua::test_git::LogCapture log;
  const auto port = std::to_string(world.server().port());
  world.set_agent_url(std::string("http://x-access-token:") + kToken + "@127.0.0.1:" + port + "/git/infra.git");
  auto repo = git::Repository::open(world.options(""));
  BOOST_TEST(repo.remote_url() == "http://***@127.0.0.1:" + port + "/git/infra.git");
  const auto pushed = repo.publish(immich_publish());
  BOOST_TEST(world.remote_master() == pushed.sha);

  world.set_agent_url(std::string("http://x-access-token:") + kWrongToken + "@127.0.0.1:" + port + "/git/infra.git");
  auto wrong = git::Repository::open(world.options(""));
  try {
    wrong.sync();
    BOOST_FAIL("a fetch with a wrong token in the URL succeeded");
  } catch (const git::GitError& e) {
    BOOST_TEST((e.kind() == git::ErrorKind::auth));
    BOOST_TEST(std::string(e.what()).find(kWrongToken) == std::string::npos);
    BOOST_TEST(std::string(e.what()).find("origin") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("credentials written in the remote's URL") != std::string::npos);
  }
  const auto lines = log.text();
  BOOST_TEST(lines.find(kToken) == std::string::npos);
  BOOST_TEST(lines.find(kWrongToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_side_race_is_retried_for_a_revert) {
  HttpWorld world;
  auto repo = git::Repository::open(world.options(kToken));
  const auto upgrade = repo.publish(immich_publish()).sha;
  // The update hook plays CI pushing a state commit between the agent's fetch
  // and its push, once: receive-pack then fails to move the ref and reports it.
  write_hook(world.bare(), "update",
             "#!/bin/sh\n"
             "marker=\"$GIT_DIR/raced\"\n"
             "[ -e \"$marker\" ] && exit 0\n"
             ": > \"$marker\"\n"
             "export GIT_AUTHOR_NAME=CI GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=CI "
             "GIT_COMMITTER_EMAIL=ci@example.com\n"
             "new=$(git commit-tree \"$2^{tree}\" -p \"$2\" -m '[CI SKIP] state from the race') || exit 1\n"
             "git update-ref \"$1\" \"$new\" \"$2\" || exit 1\n");
  ua::test_git::LogCapture log;
  const auto reverted = repo.revert(upgrade);
  BOOST_TEST(reverted.attempts == 2U);
  BOOST_TEST(world.remote_master() == reverted.sha);
  const auto facts = ua::test_git::commit_facts(world.bare(), reverted.sha);
  BOOST_REQUIRE(facts.parents.size() == 1U);
  BOOST_TEST(ua::test_git::commit_facts(world.bare(), facts.parents[0]).message == "[CI SKIP] state from the race\n");
  BOOST_TEST(ua::test_git::file_at(world.bare(), reverted.sha, "stacks/immich/main.tf").value() == ua::test_git::kImmichV1);
  BOOST_TEST(log.text().find("rejected") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_hook_refusal_is_final_and_reported) {
  HttpWorld world;
  write_hook(world.bare(), "pre-receive", "#!/bin/sh\necho 'master is frozen for maintenance' >&2\nexit 1\n");
  ua::test_git::LogCapture log;
  auto repo = git::Repository::open(world.options(kToken));
  int calls = 0;
  const auto before = world.remote_master();
  std::string message;
  try {
    repo.publish(immich_publish(&calls));
    BOOST_FAIL("a push refused by a hook succeeded");
  } catch (const git::GitError& e) {
    BOOST_TEST_MESSAGE("hook refusal: " << e.what());
    BOOST_TEST((e.kind() == git::ErrorKind::rejected));
    message = e.what();
  }
  BOOST_TEST(message.find("hook declined") != std::string::npos);
  BOOST_TEST(message.find("frozen for maintenance") != std::string::npos);
  BOOST_TEST(calls == 1);  // edited once for the commit, never re-applied
  BOOST_TEST(world.remote_master() == before);
  // A push that failed with the right token: the token is in no error and no log line.
  BOOST_TEST(message.find(kToken) == std::string::npos);
  const auto lines = log.text();
  BOOST_TEST(lines.find("committed") != std::string::npos);
  BOOST_TEST(lines.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_push_behind_the_remote_is_refetched_and_reapplied_over_http) {
  HttpWorld world;
  ua::test_git::LogCapture log;
  auto repo = git::Repository::open(world.options(kToken));
  repo.sync();
  ua::test_git::write_file(world.agent_dir() / "stacks/immich/main.tf", ua::test_git::kImmichV2);
  const auto first = repo.commit({ua::test_git::kUpgradeMessage, {"stacks/immich"}});
  // CI pushes its state commit over HTTP before the agent pushes.
  auto ci = world.other("ci");
  const auto ci_commit = ci.push_change("state/ci.txt", "state 1\n", "[CI SKIP] terraform state");

  int reapplied = 0;
  const auto pushed = repo.push_with_retry({ua::test_git::kUpgradeMessage, {"stacks/immich"}},
                                           ua::test_git::bump_immich(ua::test_git::kImmichV2, &reapplied));
  BOOST_TEST(pushed.attempts == 2U);
  BOOST_TEST(reapplied == 1);
  BOOST_TEST(pushed.sha != first);
  BOOST_TEST(world.remote_master() == pushed.sha);
  BOOST_TEST((ua::test_git::commit_facts(world.bare(), pushed.sha).parents == std::vector<std::string>{ci_commit}));
  BOOST_TEST(ua::test_git::file_at(world.bare(), pushed.sha, "state/ci.txt").value() == "state 1\n");
  const auto lines = log.text();
  BOOST_TEST(lines.find("rejected") != std::string::npos);
  BOOST_TEST(lines.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
