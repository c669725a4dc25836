// The adapter against the Uptime Kuma simulator (v1 and v2 label shapes,
// basic auth with the API key) and against servers that answer wrongly.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "net/support.hpp"
#include "sandbox/uptime_kuma/kuma_simulator.hpp"
#include "support/boxed.hpp"
#include "support/coro.hpp"
#include "support/log_capture.hpp"
#include "upgrade_agent/adapters/uptime_kuma/metrics.hpp"
#include "upgrade_agent/adapters/uptime_kuma/uptime_kuma.hpp"

namespace asio = boost::asio;
namespace kuma = ua::adapters::uptime_kuma;
namespace sim = ua::sandbox::uptime_kuma;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::ports::MonitorCheck;
using ua::ports::MonitorState;
using ua::test::run_coro;
using ua::test::seconds_since;

namespace ua::ports {
inline std::ostream& operator<<(std::ostream& os, MonitorState s) { return os << kuma::to_string(s); }
}  // namespace ua::ports
// core::ErrorKind prints itself (core/error.hpp).

namespace {

sim::Monitor http_monitor(std::string name, std::string url, int status) {
  sim::Monitor m;
  m.name = std::move(name);
  m.url = std::move(url);
  m.status = status;
  return m;
}

struct Fixture {
  asio::io_context io;
  std::unique_ptr<sim::Simulator> kuma;
  std::vector<std::unique_ptr<ua::net::Server>> servers;
  ua::net::Client http{io.get_executor(), [] {
                         ua::net::ClientOptions o;
                         o.backoff_initial = 10ms;
                         o.backoff_max = 50ms;
                         return o;
                       }()};

  sim::Simulator& start(sim::Scenario scenario) {
    kuma = std::make_unique<sim::Simulator>(io.get_executor(), std::move(scenario));
    BOOST_REQUIRE(kuma->start());
    return *kuma;
  }

  ua::net::Server& serve(ua::net::Router router) {
    servers.push_back(std::make_unique<ua::net::Server>(io.get_executor(), std::move(router)));
    BOOST_REQUIRE(servers.back()->start());
    return *servers.back();
  }

  kuma::Options options(std::string url, std::string key) {
    kuma::Options o;
    o.url = std::move(url);
    o.api_key = ua::config::Secret(std::move(key));
    return o;
  }

  ua::core::Expected<MonitorCheck> status(const kuma::Options& o, std::string service,
                                          std::vector<std::string> hosts = {}, std::chrono::milliseconds budget = 10s) {
    kuma::Monitors monitors(http, o);
    return *run_coro(io, ua::test::boxed(monitors.status(std::move(service), std::move(hosts), ua::core::Clock::now() + budget)));
  }

  ua::core::Expected<MonitorCheck> status(std::string service, std::vector<std::string> hosts = {}) {
    return status(options(kuma->url(), kuma->scenario().api_key), std::move(service), std::move(hosts));
  }

  ~Fixture() {
    if (kuma) kuma->stop();
    for (auto& s : servers) s->stop();
    io.restart();
    io.poll();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(uptime_kuma_adapter, Fixture)

BOOST_AUTO_TEST_CASE(basic_auth_has_an_empty_user_and_the_key_as_password) {
  BOOST_TEST(kuma::basic_authorization("abc") == "Basic OmFiYw==");
  BOOST_TEST(kuma::basic_authorization("uk1_x") == "Basic OnVrMV94");
  auto& k = start(sim::contract_scenario());
  auto up = status("linkwarden");
  BOOST_REQUIRE(up);
  BOOST_REQUIRE_EQUAL(k.requests().size(), 1U);
  BOOST_TEST(k.requests()[0].authorization.value_or("") == kuma::basic_authorization(k.scenario().api_key));
}

BOOST_AUTO_TEST_CASE(v1_contract_monitors_up_and_down) {
  start(sim::contract_scenario());
  auto up = status("LinkWarden");
  BOOST_REQUIRE(up);
  BOOST_TEST(up->state == MonitorState::up);
  BOOST_TEST(up->monitor == "Linkwarden");
  auto down = status("dawarich");
  BOOST_REQUIRE(down);
  BOOST_TEST(down->state == MonitorState::down);
  BOOST_TEST(down->detail == "Uptime Kuma monitor 'Dawarich': down");
}

BOOST_AUTO_TEST_CASE(v2_labels_tags_and_timestamps_are_read_and_the_url_host_matches) {
  sim::Scenario s;
  s.version = sim::Version::v2;
  s.timestamps = true;
  auto photos = http_monitor("Photos \"main\" \\ site", "https://immich.example.org/", 1);
  photos.tags = {{"env", "prod"}, {"Team", "home lab"}, {"zone", ""}};
  s.monitors.push_back(photos);
  s.monitors.push_back(http_monitor("Vault", "https://vault.example.org", 0));
  auto& k = start(s);
  const auto text = sim::render_metrics(k.scenario());
  BOOST_TEST(text.find("monitor_status{env=\"prod\",Team=\"homelab\",zone=\"zone\",monitor_id=\"1\",monitor_name="
                       "\"Photos \\\"main\\\" \\\\ site\"") != std::string::npos);
  auto check = status("immich", {"photos.example.org", "immich.example.org"});
  BOOST_REQUIRE(check);
  BOOST_TEST(check->state == MonitorState::up);
  BOOST_TEST(check->monitor == "Photos \"main\" \\ site");
  auto vault = status("vaultwarden", {"VAULT.example.org"});
  BOOST_REQUIRE(vault);
  BOOST_TEST(vault->state == MonitorState::down);
}

BOOST_AUTO_TEST_CASE(pending_maintenance_and_changes_while_running) {
  sim::Scenario s;
  s.monitors.push_back(http_monitor("Immich", "https://immich.example.org", 2));
  auto& k = start(s);
  BOOST_TEST(status("immich")->state == MonitorState::pending);
  k.set_status("Immich", 3);
  auto maintenance = status("immich");
  BOOST_TEST(maintenance->state == MonitorState::maintenance);
  BOOST_TEST(maintenance->detail.find("maintenance") != std::string::npos);
  k.set_status("Immich", 1);
  BOOST_TEST(status("immich")->state == MonitorState::up);
  k.set_status("Immich", 0);
  BOOST_TEST(status("immich")->state == MonitorState::down);
  k.put(http_monitor("Immich", "https://immich.example.org", 9));  // a state this version does not know
  BOOST_TEST(status("immich")->state == MonitorState::pending);
}

BOOST_AUTO_TEST_CASE(no_monitor_is_a_result) {
  start(sim::contract_scenario());
  auto none = status("immich", {"immich.example.org"});
  BOOST_REQUIRE(none);
  BOOST_TEST(none->state == MonitorState::no_monitor);
  BOOST_TEST(none->detail.find("immich.example.org") != std::string::npos);
  // A port monitor's "https://" has no host to match.
  auto port_only = status("postgres", {""});
  BOOST_TEST(port_only->state == MonitorState::no_monitor);
}

BOOST_AUTO_TEST_CASE(not_configured_is_no_monitor_without_a_request) {
  auto& k = start(sim::contract_scenario());
  auto check = status(options("", "whatever"), "linkwarden");
  BOOST_REQUIRE(check);
  BOOST_TEST(check->state == MonitorState::no_monitor);
  BOOST_TEST(check->detail == "not configured");
  BOOST_TEST(k.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_rejected_key_names_the_setting_and_the_host_but_not_the_key) {
  auto& k = start(sim::contract_scenario());
  ua::test::LogCapture logs;
  auto host = k.url().substr(std::string("http://").size());
  auto wrong = status(options(k.url(), "uk1_wrongSecretValue"), "linkwarden");
  BOOST_REQUIRE(!wrong);
  BOOST_TEST(wrong.error().kind == ErrorKind::unavailable);
  BOOST_TEST(wrong.error().message == "UPTIME_KUMA_API_KEY was rejected by " + host);
  BOOST_TEST(wrong.error().describe().find("wrongSecretValue") == std::string::npos);
  auto empty = status(options(k.url() + "/", ""), "linkwarden");
  BOOST_REQUIRE(!empty);
  BOOST_TEST(empty.error().message == "UPTIME_KUMA_API_KEY is empty and " + host + " requires one");
  BOOST_TEST(!k.requests().back().authorization.has_value());
  BOOST_TEST(logs.text().find("wrongSecretValue") == std::string::npos);
  // Kuma with authentication disabled needs no key.
  k.scenario().auth = false;
  BOOST_TEST(status(options(k.url(), ""), "linkwarden")->state == MonitorState::up);
}

BOOST_AUTO_TEST_CASE(answers_that_are_not_metrics_are_errors) {
  ua::net::Router router;
  router.add("GET", "/html/metrics", [](const ua::net::ServerRequest&) {
    return ua::net::ServerResponse::text(200, "<!DOCTYPE html>\n<html><body>Uptime Kuma</body></html>\n");
  });
  router.add("GET", "/broken/metrics", [](const ua::net::ServerRequest&) {
    return ua::net::ServerResponse::text(500, "Internal Server Error");
  });
  auto& server = serve(std::move(router));
  auto html = status(options(server.url() + "/html", "k"), "immich");
  BOOST_REQUIRE(!html);
  BOOST_TEST(html.error().kind == ErrorKind::unavailable);
  BOOST_TEST(html.error().message.find("did not answer Prometheus text: line 1") != std::string::npos);
  auto broken = status(options(server.url() + "/broken", "k"), "immich");
  BOOST_REQUIRE(!broken);
  BOOST_TEST(broken.error().message.find("answered 500") != std::string::npos);
  auto missing = status(options(server.url() + "/nothing", "k"), "immich");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().message.find("answered 404") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unreachable_slow_and_cancelled) {
  auto& k = start(sim::contract_scenario());
  const std::string closed = "http://127.0.0.1:1";
  auto refused = status(options(closed, "k"), "linkwarden", {}, 3s);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().kind == ErrorKind::unavailable);

  ua::net::Router router;
  router.add_async("GET", "/metrics", [](const ua::net::ServerRequest&) -> asio::awaitable<ua::net::ServerResponse> {
    asio::steady_timer t(co_await asio::this_coro::executor, 30s);
    co_await t.async_wait(asio::use_awaitable);
    co_return ua::net::ServerResponse::text(200, "");
  });
  auto& slow = serve(std::move(router));
  const auto started = std::chrono::steady_clock::now();
  auto late = status(options(slow.url(), "k"), "linkwarden", {}, 400ms);
  BOOST_REQUIRE(!late);
  BOOST_TEST(late.error().kind == ErrorKind::timeout);
  BOOST_TEST(seconds_since(started) < 2.0);

  kuma::Monitors monitors(http, options(slow.url(), "k"));
  // Cancelled 150 ms in: it must end within 100 ms of the cancellation.
  const auto started_at = std::chrono::steady_clock::now();
  const auto result = ua::test::run_and_cancel(io, monitors.status("linkwarden", {}, ua::core::Clock::now() + 20s), 150ms);
  BOOST_TEST(seconds_since(started_at) < 0.25);
  BOOST_REQUIRE(!result);
  BOOST_TEST(result.error().kind == ErrorKind::cancelled);
  (void)k;
}

BOOST_AUTO_TEST_SUITE_END()
