// The commands a user runs against the sandbox, through the built binary.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>

#include "support/child_process.hpp"

namespace ua::test {
namespace {

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG",
                                     "GIT_"};

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(demo_tells_the_whole_story_and_exits_0) {
  const auto r = run_child(UA_BINARY, {"demo"}, kDrop);
  BOOST_TEST(r.code == 0, r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0));
  for (const char* part : {"1. upgraded: vaultwarden 1.35.4 -> 1.35.5", "2. rolled back: immich v2.7.4 -> v2.8.0",
                           "live now v2.7.5", "[Upgrade Agent] Starting: *immich* v2.7.5 -&gt; v2.8.0",
                           "[Upgrade Agent] FAILED + ROLLED BACK: *immich*", "upgrade: immich v2.7.4 -> v2.7.5",
                           "Revert \"upgrade: immich v2.7.5 -> v2.8.0\"", "demo: every upgrade ended as expected"}) {
    BOOST_TEST(r.out.find(part) != std::string::npos, part);
  }
}

BOOST_AUTO_TEST_CASE(smoke_passes_within_its_budget_and_fails_past_it) {
  const auto ok = run_child(UA_BINARY, {"smoke", "--budget", "120"}, kDrop);
  BOOST_TEST(ok.code == 0, ok.out);
  BOOST_TEST(ok.out.find("smoke: 4 of 4 cases passed") != std::string::npos, ok.out);
  const auto tight = run_child(UA_BINARY, {"smoke", "--budget", "0.5"}, kDrop);
  BOOST_TEST(tight.code == 1, tight.out);
  const auto bad = run_child(UA_BINARY, {"smoke", "--budget", "-3"}, kDrop);
  BOOST_TEST(bad.code == 2);
}

BOOST_AUTO_TEST_CASE(sandbox_refuses_an_unknown_scenario_naming_the_known_ones) {
  const auto r = run_child(UA_BINARY, {"sandbox", "--scenario", "nope"}, kDrop);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("crash-loop") != std::string::npos, r.err);
  BOOST_TEST(r.out.empty());
  for (const char* listen : {"nowhere", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80x"}) {
    const auto bad = run_child(UA_BINARY, {"sandbox", "--listen", listen}, kDrop);
    BOOST_TEST(bad.code == 2, listen);
    BOOST_TEST(bad.err.find("--listen") != std::string::npos, bad.err);
    BOOST_TEST(bad.out.empty());
  }
  const auto listed = run_child(UA_BINARY, {"sandbox", "--list-scenarios"}, kDrop);
  BOOST_TEST(listed.code == 0);
  BOOST_TEST(listed.out.find("ci-never\t") != std::string::npos);
}

// `export NAME='VALUE'` as a POSIX shell reads it.
std::pair<std::string, std::string> parse_export(const std::string& line) {
  BOOST_REQUIRE(line.rfind("export ", 0) == 0);
  const auto eq = line.find('=');
  BOOST_REQUIRE(eq != std::string::npos);
  std::string value;
  bool quoted = false;
  for (std::size_t i = eq + 1; i < line.size(); ++i) {
    if (line[i] == '\'') {
      quoted = !quoted;
    } else if (!quoted && line[i] == '\\') {
      value += line[++i];
    } else {
      value += line[i];
    }
  }
  return {line.substr(7, eq - 7), value};
}

// The sandbox's settings, read from `upgrade-agent sandbox` as a shell would.
std::vector<std::string> sandbox_env(BackgroundChild& world) {
  std::vector<std::string> env;
  while (auto line = world.read_line()) {
    const auto [name, value] = parse_export(*line);
    env.push_back(name + "=" + value);
    if (name == "UPGRADE_AGENT_CEILING") break;  // the last line
  }
  return env;
}

// `smoke --staging`: one real upgrade against whatever the settings name (here
// a sandbox started as a staging cluster would be, in another process).
BOOST_AUTO_TEST_CASE(smoke_against_a_staging_cluster_checks_one_real_upgrade) {
  {
    BackgroundChild world(UA_BINARY, {"sandbox", "--scenario", "healthy"}, kDrop);
    const auto env = sandbox_env(world);
    const auto ok = run_child(UA_BINARY, {"smoke", "--staging", "vaultwarden/server:1.35.5", "--budget", "60"}, kDrop, env);
    BOOST_TEST(ok.code == 0, ok.out << ok.err);
    BOOST_TEST(ok.out.find("staging        vaultwarden/server:1.35.5") != std::string::npos, ok.out);
    BOOST_TEST(ok.out.find("smoke: 1 of 1 cases passed") != std::string::npos, ok.out);
  }
  {
    // Its pods crash-loop: rolled back, which is not what was expected.
    BackgroundChild world(UA_BINARY, {"sandbox", "--scenario", "crash-loop"}, kDrop);
    const auto env = sandbox_env(world);
    const auto bad = run_child(UA_BINARY, {"smoke", "--staging", "vaultwarden/server:1.35.5", "--budget", "60"}, kDrop, env);
    BOOST_TEST(bad.code == 1, bad.out << bad.err);
    BOOST_TEST(bad.out.find("FAILED; outcome rolled back") != std::string::npos, bad.out);
    BOOST_TEST(bad.out.find("smoke: 0 of 1 cases passed") != std::string::npos, bad.out);
  }
  {
    // Told to expect the rollback (a canary for the rollback path): it passes.
    BackgroundChild world(UA_BINARY, {"sandbox", "--scenario", "crash-loop"}, kDrop);
    const auto env = sandbox_env(world);
    const auto rolled = run_child(UA_BINARY, {"smoke", "--staging", "vaultwarden/server:1.35.5", "--expect",
                                              "rolled_back", "--budget", "60"}, kDrop, env);
    BOOST_TEST(rolled.code == 0, rolled.out << rolled.err);
  }
  // Without settings it names what is missing and runs nothing; a bad outcome is bad input.
  const auto none = run_child(UA_BINARY, {"smoke", "--staging", "vaultwarden/server:1.35.5"}, kDrop);
  BOOST_TEST(none.code == 2, none.out << none.err);
  const auto odd = run_child(UA_BINARY, {"smoke", "--staging", "vaultwarden/server:1.35.5", "--expect", "great"}, kDrop);
  BOOST_TEST(odd.code == 2);
  BOOST_TEST(odd.err.find("--expect wants an outcome") != std::string::npos, odd.err);
  BOOST_TEST(run_child(UA_BINARY, {"smoke", "--expect", "upgraded"}, kDrop).code != 0);  // --expect needs --staging
}

BOOST_AUTO_TEST_CASE(the_sandbox_prints_its_settings_and_real_clients_and_run_use_them) {
  BackgroundChild world(UA_BINARY, {"sandbox", "--scenario", "slack-404"}, kDrop);
  std::map<std::string, std::string> settings;
  std::vector<std::string> env;
  while (auto line = world.read_line()) {
    const auto [name, value] = parse_export(*line);
    settings[name] = value;
    env.push_back(name + "=" + value);
    if (name == "UPGRADE_AGENT_CEILING") break;  // the last line
  }
  for (const char* name : {"GITHUB_API_URL", "GITHUB_TOKEN", "WOODPECKER_URL", "WOODPECKER_API_TOKEN", "WOODPECKER_REPO",
                           "SLACK_WEBHOOK_URL", "KUBECONFIG", "UPTIME_KUMA_URL", "UPTIME_KUMA_API_KEY",
                           "UPGRADE_AGENT_REPO", "UPGRADE_AGENT_CONNECT_TO", "UPGRADE_AGENT_HEALTH_SCHEME",
                           "UPGRADE_AGENT_REGISTRY_ENDPOINTS"}) {
    BOOST_TEST(settings.count(name) == 1U, name);
  }

  // kubectl: the CA in the kubeconfig and the bearer token over HTTPS.
  const auto pods = run_child("/usr/bin/kubectl", {"get", "pods", "-A", "-o", "json"}, {"KUBECONFIG"},
                              {"KUBECONFIG=" + settings["KUBECONFIG"], "HOME=" + settings["UPGRADE_AGENT_REPO"]});
  BOOST_TEST(pods.code == 0, pods.err);
  BOOST_TEST(pods.out.find("vaultwarden/server:1.35.4") != std::string::npos);
  // curl: the registry simulator names the digest the sample's dns stack is pinned to.
  const auto endpoint = settings["UPGRADE_AGENT_REGISTRY_ENDPOINTS"];
  BOOST_REQUIRE(endpoint.rfind("*=http://127.0.0.1:", 0) == 0U);
  const auto head = run_child("/usr/bin/curl", {"-sfI", endpoint.substr(2) + "/v2/technitium/dns-server/manifests/13.2.1"}, {});
  BOOST_TEST(head.code == 0);
  BOOST_TEST(pods.out.find("technitium/dns-server@") != std::string::npos);  // the pods' imageID carries the pin
  const auto digest_at = head.out.find("Docker-Content-Digest: ");
  BOOST_REQUIRE(digest_at != std::string::npos);
  const auto digest = head.out.substr(digest_at + 23, 71);
  BOOST_TEST(pods.out.find("technitium/dns-server@" + digest) != std::string::npos, digest);
  // curl: Woodpecker's repository lookup with the printed token.
  const auto repo = run_child("/usr/bin/curl", {"-sf", "-H", "Authorization: Bearer " + settings["WOODPECKER_API_TOKEN"],
                                                settings["WOODPECKER_URL"] + "/api/repos/lookup/" +
                                                    settings["WOODPECKER_REPO"]},
                              {});
  BOOST_TEST(repo.code == 0);
  BOOST_TEST(repo.out.find("\"full_name\":\"ViktorBarzin/infra\"") != std::string::npos, repo.out);

  // What `plan` shows is what `run` will commit (one decision function).
  const auto planned = run_child(UA_BINARY, {"plan", "--json", "--image", "vaultwarden/server:1.35.5"}, kDrop, env);
  BOOST_TEST(planned.code == 0, planned.err);
  const auto plan_doc = boost::json::parse(planned.out);
  const auto planned_message = std::string(plan_doc.at("network").at("steps").at(0).at("commit_message").as_string());

  // `run` with nothing but those settings: upgraded, and Slack's 404 said on stderr.
  const auto r = run_child(UA_BINARY, {"run", "--image", "vaultwarden/server:1.35.5"}, kDrop, env);
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find("upgraded: vaultwarden 1.35.4 -> 1.35.5") != std::string::npos, r.out);
  BOOST_TEST(r.err.find("report not delivered") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("404") != std::string::npos);
  BOOST_TEST(r.err.find(settings["SLACK_WEBHOOK_URL"]) == std::string::npos);  // a secret
  BOOST_TEST(r.err.find("\033[K") == std::string::npos);  // not a terminal: plain log lines

  // On a terminal (script(1) gives it one): the live line with the step, elapsed and time left.
  if (std::filesystem::exists("/usr/bin/script")) {
    const auto tty = run_child("/usr/bin/script", {"-qec", std::string(UA_BINARY) + " run --image ghcr.io/example/web:2.5.0",
                                                   "/dev/null"},
                               kDrop, env);
    BOOST_TEST(tty.code == 0, tty.out);
    BOOST_TEST(tty.out.find("\r\033[K[web] verify: ") != std::string::npos, tty.out);
    BOOST_TEST(tty.out.find(" elapsed, ") != std::string::npos);
    BOOST_TEST(tty.out.find("s left") != std::string::npos);
    BOOST_TEST(tty.out.find("upgraded: web 2.4.1 -> 2.5.0") != std::string::npos);
  }
  const auto body = run_child("/usr/bin/git", {"-C", settings["UPGRADE_AGENT_REPO"], "log", "-1", "--format=%B",
                                              "--grep=^upgrade: vaultwarden", "origin/master"},
                              {"GIT_"});
  auto trimmed = [](std::string t) {
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return t;
  };
  BOOST_TEST(trimmed(body.out) == trimmed(planned_message), body.out << "\n---\n" << planned_message);
  const auto log = run_child("/usr/bin/git", {"-C", settings["UPGRADE_AGENT_REPO"], "log", "--format=%s", "origin/master"},
                             {"GIT_"});
  BOOST_TEST(log.out.find("upgrade: vaultwarden 1.35.4 -> 1.35.5") != std::string::npos, log.out);

  BOOST_TEST(world.stop(SIGINT) == 0, world.err());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
