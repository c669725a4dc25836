// `batch FILE|-` through the built binary: usage and unreadable files are
// exit 2, bad lines are named by number on stderr and skipped, missing
// secrets are each named before anything starts, and a real run (a bare git
// remote over file://, the sample repository, no network) ends with the
// table and exit 0 only when every request ended upgraded, already at target
// or refused by policy.
#include <boost/test/unit_test.hpp>

#include "adapters/git/scratch_git.hpp"
#include "support/child_process.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace ua::test {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG",
                                     "GIT_"};

const std::vector<std::string> kSecrets{"SLACK_WEBHOOK_URL=http://127.0.0.1:9/hook", "GITHUB_TOKEN=t",
                                        "WOODPECKER_URL=http://127.0.0.1:9", "WOODPECKER_API_TOKEN=t",
                                        "WOODPECKER_REPO=o/r"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> with(std::vector<std::string> env, const std::vector<std::string>& more) {
  env.insert(env.end(), more.begin(), more.end());
  return env;
}

// The agent's world without servers: the sample repository pushed to a bare
// remote, the agent's own clone of it, and a kubeconfig that is only read
// (no request in these tests reaches the cluster or Slack).
struct OfflineWorld {
  test_git::Libgit2Isolation isolation;
  test_git::TempDir dir;
  fs::path agent = dir.path() / "agent";

  OfflineWorld() {
    const auto remote = dir.path() / "remote.git";
    test_git::init_bare(remote);
    const std::string url = "file://" + remote.string();
    auto seed = test_git::Scratch::clone(url, dir.path() / "seed");
    sandbox::generate_sample_repo(seed.dir());
    seed.commit_all("sample infra");
    seed.push();
    (void)test_git::Scratch::clone(url, agent);
    test_git::write_file(dir.path() / "kubeconfig",
                         "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "
                         "http://127.0.0.1:9\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  "
                         "context:\n    cluster: c\n    user: u\ncurrent-context: x\n");
  }

  [[nodiscard]] std::vector<std::string> env() const {
    return with(kSecrets, {"UPGRADE_AGENT_REPO=" + agent.string(), "KUBECONFIG=" + (dir.path() / "kubeconfig").string()});
  }

  [[nodiscard]] fs::path batch(const std::string& name, const std::string& text) const {
    const auto file = dir.path() / name;
    test_git::write_file(file, text);
    return file;
  }
};

BOOST_AUTO_TEST_SUITE(batch_command)

BOOST_AUTO_TEST_CASE(usage_errors_and_unreadable_files_exit_2) {
  auto r = run_child(UA_BINARY, {"batch"}, kDrop, kSecrets);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "FILE is required"));

  r = run_child(UA_BINARY, {"batch", "/nonexistent/requests.txt"}, kDrop, kSecrets);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "cannot read batch file /nonexistent/requests.txt: No such file or directory"));
  BOOST_TEST(r.out.empty());

  test_git::TempDir dir;
  r = run_child(UA_BINARY, {"batch", dir.path().string()}, kDrop, kSecrets);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "cannot read batch file " + dir.path().string() + ": it is a folder"));
}

BOOST_AUTO_TEST_CASE(bad_lines_are_named_by_number_and_missing_secrets_each_named) {
  OfflineWorld w;
  const auto file = w.batch("requests.txt",
                            "# nightly\n"
                            "vaultwarden/server 1.35.5\n"
                            "{\"image\": 7, \"new_tag\": \"1.0\"}\n"
                            "\n"
                            "vaultwarden/server;reboot 1.0\n"
                            "{\"diun_version\": \"4.28.0\", \"status\": \"new\", \"image\": \"a/b\"}\n");
  const auto r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, {"UPGRADE_AGENT_REPO=" + w.agent.string()});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, file.string() + " line 3: image: expected a string, got a number (skipped)"));
  BOOST_TEST(contains(r.err, file.string() + " line 5: bad image: invalid image reference 'vaultwarden/server;reboot'"));
  BOOST_TEST(contains(r.err, file.string() + " line 6: image: has no tag; DIUN's image carries it (IMAGE:TAG) (skipped)"));
  BOOST_TEST(!contains(r.err, " line 2:"));
  BOOST_TEST(!contains(r.err, " line 1:"));
  for (const char* name : {"SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "WOODPECKER_URL", "WOODPECKER_API_TOKEN",
                           "WOODPECKER_REPO"}) {
    BOOST_TEST(contains(r.err, std::string(name) + ": is empty or unset"), name);
  }
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(a_bad_setting_is_named_and_nothing_runs) {
  OfflineWorld w;
  const auto file = w.batch("requests.txt", "vaultwarden/server 1.35.4\n");
  const auto r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, with(w.env(), {"UPGRADE_AGENT_DIUN_STATUSES=nwe"}));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(contains(r.err, "settings: UPGRADE_AGENT_DIUN_STATUSES: unknown DIUN status 'nwe'"));
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(every_request_ended_well_exits_0_with_the_table) {
  OfflineWorld w;
  const auto file = w.batch(
      "requests.txt",
      "vaultwarden/server 1.35.4\n"
      "{\"image\": \"vaultwarden/server\", \"new_tag\": \"1.30.0\"}\n"
      "# DIUN saw nothing new: ignored, not a failure\n"
      "{\"diun_version\": \"4.28.0\", \"status\": \"unchange\", \"image\": \"headscale/headscale:0.26.0\"}\n"
      "{\"diun_entry_status\": \"new\", \"diun_entry_image\": \"headscale/headscale\", \"diun_entry_imagetag\": "
      "\"0.25.1\"}\n");
  const auto r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, w.env());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(contains(r.err, file.string() + " line 4: ignored: DIUN status 'unchange' is not in "
                                             "UPGRADE_AGENT_DIUN_STATUSES (new,update)"));
  BOOST_TEST(r.out.rfind("LINE  IMAGE", 0) == 0U, r.out);
  BOOST_TEST(contains(r.out, "\n1     vaultwarden/server   1.35.4"));
  BOOST_TEST(contains(r.out, "already at target  vaultwarden/server is already at 1.35.4"));
  BOOST_TEST(contains(r.out, "\n2     vaultwarden/server   1.30.0"));
  BOOST_TEST(contains(r.out, "refused            the target '1.30.0' is older than the current '1.35.4'"));
  BOOST_TEST(contains(r.out, "\n5     headscale/headscale  0.25.1"));
  BOOST_TEST(!contains(r.out, "\n4 "));
  std::size_t rows = 0;
  for (char c : r.out) rows += c == '\n' ? 1 : 0;
  BOOST_TEST(rows == 4U);  // the header and three requests
}

BOOST_AUTO_TEST_CASE(one_request_that_did_not_end_well_or_one_bad_line_exits_1) {
  OfflineWorld w;
  auto file = w.batch("not-referenced.txt", "vaultwarden/server 1.35.4\nghcr.io/nobody/nothing 1.0.0\n");
  auto r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, w.env());
  BOOST_TEST(r.code == 1, r.err);
  BOOST_TEST(contains(r.out, "not referenced     ghcr.io/nobody/nothing is not referenced under stacks/"));
  BOOST_TEST(contains(r.out, "already at target"));
  // The STACK column names the stack a saga found, and "-" where it found none.
  BOOST_TEST(contains(r.out, "\n1     vaultwarden/server      1.35.4  vaultwarden  already at target  "), r.out);
  BOOST_TEST(contains(r.out, "\n2     ghcr.io/nobody/nothing  1.0.0   -            not referenced     "), r.out);

  file = w.batch("bad-line.txt", "vaultwarden/server 1.35.4\nvaultwarden/server\n");
  r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, w.env());
  BOOST_TEST(r.code == 1, r.err);
  BOOST_TEST(contains(r.err, file.string() + " line 2: no target tag: write IMAGE TAG or IMAGE:TAG (skipped)"));
  BOOST_TEST(contains(r.out, "already at target"));

  // Nothing to run at all: 0 for a file of comments, 1 when a line was bad.
  file = w.batch("comments.txt", "# nothing today\n\n");
  r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, w.env());
  BOOST_TEST(r.code == 0, r.err);
  file = w.batch("only-bad.txt", "# nothing today\nnot an image at all\n");
  r = run_child(UA_BINARY, {"batch", file.string()}, kDrop, w.env());
  BOOST_TEST(r.code == 1, r.err);
  BOOST_TEST(contains(r.err, " line 2: expected IMAGE TAG, got 5 words"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
