// The Uptime Kuma simulator held to the real /metrics with curl as the
// client: basic auth with the API key as the password (the user ignored), 401
// without it, and text in the contract's Prometheus format
// (contracts/uptime-kuma-metrics.txt), in Kuma 1's and 2's label sets.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sandbox/curl_client.hpp"
#include "sandbox/uptime_kuma/kuma_simulator.hpp"

namespace sim = ua::sandbox::uptime_kuma;
using ua::test::CurlAnswer;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string contract_text() {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/uptime-kuma-metrics.txt");
  BOOST_REQUIRE_MESSAGE(in, "missing contract uptime-kuma-metrics.txt");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct World {
  ua::test::ServingLoop loop;
  sim::Simulator kuma;
  explicit World(sim::Scenario scenario = sim::contract_scenario()) : kuma(loop.io.get_executor(), std::move(scenario)) {
    BOOST_REQUIRE(kuma.start());
  }
  ~World() {
    kuma.stop();
    loop.io.restart();
    loop.io.poll();
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  CurlAnswer metrics(std::vector<std::string> args = {}) {
    args.push_back(kuma.url() + "/metrics");
    return loop.curl(std::move(args));
  }
  CurlAnswer with_key(const std::string& user = "anyone") {
    return metrics({"-u", user + ":" + kuma.scenario().api_key});
  }
};

// Prometheus text exposition 0.0.4: comments, or `name{label="value",...} number [timestamp]`.
const std::regex kSample(R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfa]+( [0-9]+)?$)re");

}  // namespace

BOOST_AUTO_TEST_CASE(without_credentials_it_is_401_with_a_basic_challenge) {
  World w;
  auto a = w.metrics();
  BOOST_TEST(a.exit_code == 0, a.err);
  BOOST_TEST(a.status == 401);
  BOOST_TEST(a.header("www-authenticate").rfind("Basic ", 0) == 0U, a.header("www-authenticate"));
  BOOST_TEST(a.body.find("monitor_status") == std::string::npos);
  BOOST_TEST(w.metrics({"-u", "admin:wrong-key"}).status == 401);
  BOOST_TEST(w.metrics({"-H", "Authorization: Bearer " + w.kuma.scenario().api_key}).status == 401);
  // A key in the user name is not a password.
  BOOST_TEST(w.metrics({"-u", w.kuma.scenario().api_key + ":"}).status == 401);
}

BOOST_AUTO_TEST_CASE(the_api_key_is_the_password_and_the_user_is_ignored) {
  World w;
  for (const std::string user : {"", "anyone", "admin", "upgrade-agent"}) {
    auto a = w.with_key(user);
    BOOST_TEST(a.status == 200, "user '" << user << "'");
  }
  const auto& log = w.kuma.requests();
  BOOST_REQUIRE_EQUAL(log.size(), 4U);
  BOOST_TEST(log[0].authorization.value_or("").rfind("Basic ", 0) == 0U);
  BOOST_TEST(log[0].status == 200);
}

BOOST_AUTO_TEST_CASE(open_metrics_when_auth_is_off_and_404_elsewhere) {
  auto scenario = sim::contract_scenario();
  scenario.auth = false;
  World w(scenario);
  BOOST_TEST(w.metrics().status == 200);
  BOOST_TEST(w.loop.curl({w.kuma.url() + "/api/status-page"}).status == 404);
}

BOOST_AUTO_TEST_CASE(kuma_1_text_holds_every_line_of_the_contract) {
  World w;
  auto a = w.with_key();
  BOOST_REQUIRE(a.status == 200);
  BOOST_TEST(a.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  const auto served = lines_of(a.body);
  const std::set<std::string> have(served.begin(), served.end());
  for (const auto& line : lines_of(contract_text())) {
    if (line.empty()) continue;
    BOOST_TEST(have.count(line) == 1U, "missing: " << line);
  }
  // The contract's order: HELP, TYPE, then that metric's samples.
  std::string last_type;
  for (const auto& line : served) {
    if (line.rfind("# TYPE ", 0) == 0) last_type = line.substr(7, line.find(' ', 7) - 7);
    if (line.empty() || line[0] == '#') continue;
    BOOST_TEST(std::regex_match(line, kSample), line);
    BOOST_TEST(line.rfind(last_type, 0) == 0U, line);  // under its own TYPE
  }
}

BOOST_AUTO_TEST_CASE(kuma_2_adds_tags_and_monitor_id_before_the_old_labels) {
  sim::Scenario scenario;
  scenario.version = sim::Version::v2;
  scenario.timestamps = true;
  scenario.monitors.push_back(sim::Monitor{7, "Immich \"photos\"", "http", "https://immich.example.org/api", "null", "null", 2,
                                           {{"env", "prod"}, {"Team", "home lab"}}, 80});
  World w(scenario);
  auto a = w.with_key();
  BOOST_REQUIRE(a.status == 200);
  bool seen_status = false;
  for (const auto& line : lines_of(a.body)) {
    if (line.empty() || line[0] == '#') continue;
    BOOST_TEST(std::regex_match(line, kSample), line);
    if (line.rfind("monitor_status{", 0) != 0) continue;
    seen_status = true;
    const std::string labels =
        R"({env="prod",Team="homelab",monitor_id="7",monitor_name="Immich \"photos\"",monitor_type="http",)"
        R"(monitor_url="https://immich.example.org/api",monitor_hostname="null",monitor_port="null"} 2 )";
    BOOST_TEST(line.rfind("monitor_status" + labels, 0) == 0U, line);
    BOOST_TEST(std::regex_match(line.substr(line.rfind(' ') + 1), std::regex("[0-9]{13}")), line);
  }
  BOOST_TEST(seen_status);
  BOOST_TEST(a.body.find("monitor_uptime_ratio{") != std::string::npos);
  BOOST_TEST(a.body.find("window=\"30d\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_monitor_changed_while_it_runs_is_served_changed) {
  World w;
  BOOST_TEST(w.with_key().body.find(R"(monitor_status{monitor_name="Linkwarden",)") != std::string::npos);
  BOOST_REQUIRE(w.kuma.set_status("Linkwarden", 0));
  const auto body = w.with_key().body;
  BOOST_TEST(body.find(R"(monitor_status{monitor_name="Linkwarden",monitor_type="http",monitor_url="https://linkwarden.viktorbarzin.me",monitor_hostname="null",monitor_port="null"} 0)") != std::string::npos);
  BOOST_TEST(!w.kuma.set_status("Nobody", 1));
}
