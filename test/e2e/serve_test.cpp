// `serve` end to end, as DIUN and an operator talk to it: curl sends DIUN's
// webhook (GET with a body and no Content-Type, as DIUN's default notifier
// does), reads the request's steps, the holds and the metrics, and releases a
// hold; the sandbox plays every outside system; the binary is the real one.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <set>
#include <thread>

#include "support/child_process.hpp"
#include "upgrade_agent/store/journal.hpp"
#include "world.hpp"

namespace ua::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG",
                                     "GIT_"};
constexpr const char* kToken = "serve-test-token";

std::vector<std::string> serve_env(World& world, const std::string& state_dir) {
  std::map<std::string, std::string> settings(world.sandbox().settings().begin(), world.sandbox().settings().end());
  settings["UPGRADE_AGENT_STATE_DIR"] = state_dir;
  settings["UPGRADE_AGENT_WEBHOOK_TOKEN"] = kToken;
  settings["UPGRADE_AGENT_VERIFY_WINDOW_SAFE"] = "1500ms";
  settings["UPGRADE_AGENT_CEILING"] = "90s";
  std::vector<std::string> env;
  for (const auto& [name, value] : settings) env.push_back(name + "=" + value);
  return env;
}

// The URL `serve` logs once it takes requests.
std::string listening_url(BackgroundChild& serve) {
  constexpr std::string_view kSays = "serve: listening on ";
  for (int i = 0; i < 600; ++i) {
    const auto err = serve.err();
    if (const auto at = err.find(kSays); at != std::string::npos) {
      const auto start = at + kSays.size();
      return err.substr(start, err.find_first_of(" \n", start) - start);
    }
    if (auto status = serve.wait_exit(0)) BOOST_FAIL("serve ended (status " << *status << "): " << err);
    std::this_thread::sleep_for(100ms);
  }
  BOOST_FAIL("serve never said where it listens: " << serve.err());
  return {};
}

struct Answer {
  int status = 0;  // 0: no HTTP answer at all
  std::string body;
  [[nodiscard]] json::value doc() const { return json::parse(body); }
};

// curl, with the token unless `token` is empty; extra arguments before the URL.
Answer call(const std::string& url, std::vector<std::string> extra, const std::string& token = kToken) {
  std::vector<std::string> args{"-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "20"};
  if (!token.empty()) args.insert(args.end(), {"-H", "Authorization: Bearer " + token});
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const auto r = run_child("/usr/bin/curl", args, {});
  Answer a;
  const auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) return a;
  a.status = std::atoi(r.out.c_str() + nl + 1);
  a.body = r.out.substr(0, nl);
  return a;
}

// DIUN's body for a new tag (contracts/diun-webhook.json's shape), sent the
// way DIUN's webhook notifier sends it by default.
Answer diun_webhook(const std::string& url, const std::string& image, const std::string& token = kToken) {
  json::object body;
  body["diun_version"] = "4.32.0";
  body["hostname"] = "diun-6b7c9d8f5-x2x4q";
  body["status"] = "new";
  body["provider"] = "kubernetes";
  body["image"] = image;
  body["hub_link"] = "https://hub.docker.com/r/n8nio/n8n";
  body["mime_type"] = "application/vnd.oci.image.index.v1+json";
  body["digest"] = "sha256:6f0b3c1e8a2d4b7e9c0a1f2e3d4c5b6a7980f1e2d3c4b5a69788f7e6d5c4b3a2";
  body["created"] = nullptr;
  body["platform"] = "linux/amd64";
  body["metadata"] = json::object{{"ctn_name", "n8n"}, {"pod_namespace", "n8n"}};
  return call(url + "/webhook/diun", {"-X", "GET", "-H", "Content-Type:", "--data-binary", json::serialize(body)},
              token);
}

json::object wait_done(const std::string& url, std::int64_t id, BackgroundChild& serve) {
  const auto until = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < until) {
    const auto a = call(url + "/v1/upgrades/" + std::to_string(id), {});
    BOOST_REQUIRE_MESSAGE(a.status == 200, a.status << " " << a.body << "\n" << serve.err());
    auto doc = a.doc().as_object();
    if (doc.at("state").as_string() == "done") return doc;
    std::this_thread::sleep_for(250ms);
  }
  BOOST_FAIL("request " << id << " not done within 120 s: " << serve.err());
  return {};
}

std::size_t count_starting(const std::vector<std::string>& texts, std::string_view prefix) {
  return static_cast<std::size_t>(
      std::count_if(texts.begin(), texts.end(), [&](const std::string& t) { return starts_with(t, prefix); }));
}

BOOST_AUTO_TEST_SUITE(serve_over_http)

BOOST_AUTO_TEST_CASE(a_diun_webhook_becomes_a_verified_upgrade_with_its_steps_and_metrics) {
  World world("healthy");
  ScratchDir state_dir("ua-serve-state-");
  BackgroundChild serve(UA_BINARY, {"serve", "--listen", "127.0.0.1:0"}, kDrop,
                        serve_env(world, state_dir.path().string()));
  const auto url = listening_url(serve);

  BOOST_TEST(call(url + "/healthz", {}, "").status == 200);
  const auto unauthorised = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0", "not-the-token");
  BOOST_TEST(unauthorised.status == 401, unauthorised.body);
  BOOST_TEST(call(url + "/v1/upgrades", {}).doc().at("upgrades").as_array().empty());  // nothing was queued

  const auto accepted = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0");
  BOOST_REQUIRE_MESSAGE(accepted.status == 202, accepted.status << " " << accepted.body);
  const auto id = accepted.doc().at("id").to_number<std::int64_t>();

  const auto done = wait_done(url, id, serve);
  BOOST_TEST(done.at("outcome").as_string() == "upgraded", json::serialize(done));
  BOOST_TEST(done.at("source").as_string() == "diun");
  std::set<std::string> steps;
  for (const auto& s : done.at("steps").as_array()) steps.insert(std::string(s.at("step").as_string()));
  for (const char* step : {"locate", "backup", "publish", "wait_for_ci", "verify", "report"}) {
    BOOST_TEST(steps.contains(step), step << " missing from " << json::serialize(done.at("steps")));
  }
  BOOST_TEST(count_starting(world.agent_subjects(), "upgrade: n8n ") == 1U);
  BOOST_TEST(count_starting(world.slack(), "[Upgrade Agent] SUCCESS") == 1U);
  BOOST_TEST(done.at("pod_namespace").as_string() == "n8n");
  BOOST_TEST(done.at("container").as_string() == "n8n");
  const auto slack = world.slack();
  const auto success = std::find_if(slack.begin(), slack.end(),
                                    [](const std::string& t) { return starts_with(t, "[Upgrade Agent] SUCCESS"); });
  BOOST_REQUIRE(success != slack.end());
  BOOST_TEST(success->ends_with("\nSeen by DIUN: namespace n8n, container n8n"), *success);

  // DIUN sends the same tag again (another pod, a restart): the same request, nothing run twice.
  const auto again = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0");
  BOOST_TEST(again.status == 200, again.body);
  BOOST_TEST(again.doc().at("state").as_string() == "duplicate");
  BOOST_TEST(again.doc().at("id").to_number<std::int64_t>() == id);

  const auto metrics = call(url + "/metrics", {});
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.body.find("upgrade_agent_sagas_total{outcome=\"upgraded\"} 1") != std::string::npos,
             metrics.body);
  BOOST_TEST(metrics.body.find("upgrade_agent_step_duration_seconds_count{step=\"publish\"} 1") != std::string::npos,
             metrics.body);
  BOOST_TEST(call(url + "/metrics", {}, "").status == 401);
  BOOST_TEST(serve.stop(SIGTERM) == 0, serve.err());
}

BOOST_AUTO_TEST_CASE(a_rolled_back_target_is_held_until_released_over_the_api) {
  World world("crash-loop");
  ScratchDir state_dir("ua-serve-hold-");
  BackgroundChild serve(UA_BINARY, {"serve", "--listen", "127.0.0.1:0"}, kDrop,
                        serve_env(world, state_dir.path().string()));
  const auto url = listening_url(serve);
  const auto accepted = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0");
  BOOST_REQUIRE_MESSAGE(accepted.status == 202, accepted.body);
  const auto done = wait_done(url, accepted.doc().at("id").to_number<std::int64_t>(), serve);
  BOOST_TEST(done.at("outcome").as_string() == "rolled back", json::serialize(done));

  const auto holds = call(url + "/v1/holds", {});
  BOOST_REQUIRE(holds.status == 200);
  BOOST_TEST(holds.doc().at("holds").as_array().size() == 1U, holds.body);

  // The same tag again is answered 200 (DIUN never retries a failure) and not run.
  const auto held = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0");
  BOOST_TEST(held.status == 200, held.body);
  BOOST_TEST(held.doc().at("state").as_string() == "held");
  BOOST_TEST(held.doc().at("message").as_string().starts_with("held: rolled back on "), held.body);
  BOOST_TEST(count_starting(world.agent_subjects(), "upgrade: n8n ") == 1U);

  const auto metrics = call(url + "/metrics", {});
  BOOST_TEST(metrics.body.find("upgrade_agent_active_holds 1") != std::string::npos, metrics.body);

  const auto released = call(url + "/v1/holds/release",
                             {"-H", "Content-Type: application/json", "--data-binary",
                              R"({"image": "docker.n8n.io/n8nio/n8n", "tag": "1.81.0"})"});
  BOOST_TEST(released.status == 200, released.body);
  BOOST_TEST(call(url + "/v1/holds", {}).doc().at("holds").as_array().empty());
  BOOST_TEST(serve.stop(SIGTERM) == 0, serve.err());
}

// Killed right after the journal took a webhook and before it answered:
// the caller saw no answer, but the request is on disk and the next start runs it.
BOOST_AUTO_TEST_CASE(a_webhook_admitted_before_a_kill_is_run_by_the_next_start) {
  World world("healthy");
  ScratchDir state_dir("ua-serve-intake-");
  auto env = serve_env(world, state_dir.path().string());
  const std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
  {
    auto crashing = env;
    crashing.emplace_back("UPGRADE_AGENT_TEST_CRASH_AT=intake.admitted");
    BackgroundChild first(UA_BINARY, args, kDrop, crashing);
    const auto url = listening_url(first);
    const auto lost = diun_webhook(url, "docker.n8n.io/n8nio/n8n:1.81.0");
    BOOST_TEST(lost.status == 0, "answered " << lost.status << " " << lost.body);
    const auto status = first.wait_exit(10000);
    BOOST_REQUIRE(status);
    BOOST_TEST((WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL));
  }
  BackgroundChild second(UA_BINARY, args, kDrop, env);
  const auto url = listening_url(second);
  const auto done = wait_done(url, 1, second);
  BOOST_TEST(done.at("outcome").as_string() == "upgraded", json::serialize(done));
  BOOST_TEST(count_starting(world.agent_subjects(), "upgrade: n8n ") == 1U);
  BOOST_TEST(second.stop(SIGTERM) == 0, second.err());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
