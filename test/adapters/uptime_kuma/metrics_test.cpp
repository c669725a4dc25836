// The Prometheus text parser and the monitor choice, alone.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "upgrade_agent/adapters/uptime_kuma/metrics.hpp"

namespace kuma = ua::adapters::uptime_kuma;
using ua::ports::MonitorState;

namespace ua::ports {
inline std::ostream& operator<<(std::ostream& os, MonitorState s) { return os << kuma::to_string(s); }
}  // namespace ua::ports

namespace {

std::string contract() {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/uptime-kuma-metrics.txt");
  BOOST_REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

kuma::Exposition parse_ok(std::string_view text) {
  auto parsed = kuma::parse_exposition(text);
  BOOST_REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.error().message));
  return std::move(*parsed);
}

std::string parse_error(std::string_view text) {
  auto parsed = kuma::parse_exposition(text);
  BOOST_REQUIRE_MESSAGE(!parsed, "expected a parse error for: " + std::string(text));
  return parsed.error().message;
}

kuma::KumaMonitor monitor(std::string name, std::string url, double status) {
  kuma::KumaMonitor m;
  m.name = std::move(name);
  m.url = std::move(url);
  m.status = status;
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(the_contract_parses_into_its_three_monitors) {
  const auto metrics = parse_ok(contract());
  BOOST_TEST(metrics.samples.size() == 7U);
  BOOST_TEST(metrics.type.at("monitor_status") == "gauge");
  BOOST_TEST(metrics.help.at("monitor_status") == "Monitor Status (1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)");
  const auto monitors = kuma::monitors_from(metrics);
  BOOST_REQUIRE_EQUAL(monitors.size(), 3U);
  BOOST_TEST(monitors[0].name == "Linkwarden");
  BOOST_TEST(monitors[0].url == "https://linkwarden.viktorbarzin.me");
  BOOST_TEST(monitors[0].status == 1.0);
  BOOST_TEST(monitors[1].name == "Dawarich");
  BOOST_TEST(monitors[1].status == 0.0);
  BOOST_TEST(monitors[2].name == "Postgres (dbaas)");
  BOOST_TEST(monitors[2].type == "port");
  BOOST_TEST(monitors[2].id.empty());
}

BOOST_AUTO_TEST_CASE(label_values_take_the_three_escapes) {
  const auto metrics = parse_ok(R"(monitor_status{monitor_name="Immich \"Photos\"\\n\nnext",monitor_url="a\\b"} 1)");
  BOOST_REQUIRE_EQUAL(metrics.samples.size(), 1U);
  BOOST_TEST(*metrics.samples[0].label("monitor_name") == "Immich \"Photos\"\\n\nnext");
  BOOST_TEST(*metrics.samples[0].label("monitor_url") == "a\\b");
  // A comma, a brace or '=' inside a value is data, not syntax.
  const auto tricky = parse_ok(R"(m{a="x,y}=z",b="{"} 2)");
  BOOST_TEST(*tricky.samples[0].label("a") == "x,y}=z");
  BOOST_TEST(*tricky.samples[0].label("b") == "{");
}

BOOST_AUTO_TEST_CASE(labels_in_any_order_with_extra_labels_blanks_and_timestamps) {
  const auto metrics = parse_ok(
      "monitor_status{ app=\"x\" , monitor_url=\"https://immich.example.org\",monitor_id=\"7\","
      "monitor_name=\"Immich\", } 2 1767225600000\n"
      "\tmonitor_status{monitor_name=\"Other\"}\t0   -15\r\n");
  const auto monitors = kuma::monitors_from(metrics);
  BOOST_REQUIRE_EQUAL(monitors.size(), 2U);
  BOOST_TEST(monitors[0].name == "Immich");
  BOOST_TEST(monitors[0].id == "7");
  BOOST_TEST(monitors[0].status == 2.0);
  BOOST_TEST(metrics.samples[0].timestamp_ms.value_or(0) == 1767225600000LL);
  BOOST_TEST(metrics.samples[1].timestamp_ms.value_or(0) == -15);
  BOOST_TEST(metrics.samples[0].labels.size() == 4U);
}

BOOST_AUTO_TEST_CASE(values_in_every_form_go_accepts) {
  const auto metrics = parse_ok("a 1\nb -2.5\nc 1e3\nd +Inf\ne -Inf\nf NaN\ng 0.142\nh .5\n");
  BOOST_REQUIRE_EQUAL(metrics.samples.size(), 8U);
  BOOST_TEST(metrics.samples[1].value == -2.5);
  BOOST_TEST(metrics.samples[2].value == 1000.0);
  BOOST_TEST(std::isinf(metrics.samples[3].value));
  BOOST_TEST(metrics.samples[4].value < 0);
  BOOST_TEST(std::isnan(metrics.samples[5].value));
  BOOST_TEST(metrics.samples[7].value == 0.5);
}

BOOST_AUTO_TEST_CASE(comments_help_and_type_lines) {
  const auto metrics = parse_ok(
      "# a free comment\n#\n# HELP x Line one\\nline two \\\\ done\n# TYPE x counter\n# EOF-like words are comments\n\nx 3\n");
  BOOST_TEST(metrics.help.at("x") == "Line one\nline two \\ done");
  BOOST_TEST(metrics.type.at("x") == "counter");
  BOOST_TEST(metrics.samples.size() == 1U);
}

BOOST_AUTO_TEST_CASE(broken_lines_are_errors_naming_the_line) {
  BOOST_TEST(parse_error("ok 1\nm{a=\"open} 1\n").find("line 2") == 0U);
  BOOST_TEST(parse_error("m{a=\"x\\t\"} 1").find("invalid escape") != std::string::npos);
  BOOST_TEST(parse_error("m{a=\"x\"} one").find("invalid value") != std::string::npos);
  BOOST_TEST(parse_error("m{a=\"x\",a=\"y\"} 1").find("twice") != std::string::npos);
  BOOST_TEST(parse_error("m 1 2 3").find("after the timestamp") != std::string::npos);
  BOOST_TEST(parse_error("m 1 12.5").find("timestamp") != std::string::npos);
  BOOST_TEST(parse_error("m{a=x} 1").find("line 1") == 0U);
  BOOST_TEST(parse_error("m{1a=\"x\"} 1").find("label name") != std::string::npos);
  BOOST_TEST(parse_error("m{a=\"x\"").find("line 1") == 0U);
  BOOST_TEST(parse_error("m").find("invalid value") != std::string::npos);
  BOOST_TEST(parse_error("# TYPE m gauges").find("unknown metric type") != std::string::npos);
  BOOST_TEST(parse_error("<!DOCTYPE html>\n<html>").find("line 1") == 0U);
  BOOST_TEST(parse_error("{\"monitors\": []}").find("line 1") == 0U);
}

BOOST_AUTO_TEST_CASE(the_host_of_a_monitor_url) {
  BOOST_TEST(kuma::url_host("https://Immich.Example.org") == "immich.example.org");
  BOOST_TEST(kuma::url_host("https://immich.example.org:8443/api/ping?x=1") == "immich.example.org");
  BOOST_TEST(kuma::url_host("http://user:pw@immich.example.org./") == "immich.example.org");
  BOOST_TEST(kuma::url_host("https://[2001:db8::1]:443/") == "2001:db8::1");
  BOOST_TEST(kuma::url_host("https://").empty());
  BOOST_TEST(kuma::url_host("null").empty());
  BOOST_TEST(kuma::url_host("").empty());
}

BOOST_AUTO_TEST_CASE(status_values_map_to_states_and_unknown_ones_are_pending) {
  BOOST_TEST(kuma::state_of(0) == MonitorState::down);
  BOOST_TEST(kuma::state_of(1) == MonitorState::up);
  BOOST_TEST(kuma::state_of(2) == MonitorState::pending);
  BOOST_TEST(kuma::state_of(3) == MonitorState::maintenance);
  BOOST_TEST(kuma::state_of(4) == MonitorState::pending);
  BOOST_TEST(kuma::state_of(-1) == MonitorState::pending);
  BOOST_TEST(kuma::state_of(std::nan("")) == MonitorState::pending);
  const auto check = kuma::select_monitor({monitor("Immich", "", 7)}, "immich", {});
  BOOST_TEST(check.state == MonitorState::pending);
  BOOST_TEST(check.detail.find("7 is not a known state") != std::string::npos);
  // Values no integer holds, or fractions, are named as written (found by fuzzing:
  // the cast to an integer was undefined for 6.2e65).
  const auto huge = kuma::select_monitor({monitor("Immich", "", 6.2e65)}, "immich", {});
  BOOST_TEST(huge.state == MonitorState::pending);
  BOOST_TEST(huge.detail.find("monitor_status 6.2e+65 is not a known state") != std::string::npos, huge.detail);
  const auto half = kuma::select_monitor({monitor("Immich", "", 1.5)}, "immich", {});
  BOOST_TEST(half.detail.find("monitor_status 1.5 is not a known state") != std::string::npos, half.detail);
}

BOOST_AUTO_TEST_CASE(the_name_matches_case_insensitively_and_the_url_host_matches_an_ingress_host) {
  const std::vector<kuma::KumaMonitor> monitors{monitor("Linkwarden", "https://linkwarden.example.org", 1),
                                                monitor("Photos", "https://immich.example.org/", 0),
                                                monitor("immich-ml", "https://ml.example.org", 1)};
  auto by_name = kuma::select_monitor(monitors, "LINKWARDEN", {});
  BOOST_TEST(by_name.state == MonitorState::up);
  BOOST_TEST(by_name.monitor == "Linkwarden");
  auto by_host = kuma::select_monitor(monitors, "immich", {"Immich.example.org"});
  BOOST_TEST(by_host.state == MonitorState::down);
  BOOST_TEST(by_host.monitor == "Photos");
  BOOST_TEST(by_host.detail.find("watching immich.example.org") != std::string::npos);
  auto none = kuma::select_monitor(monitors, "vaultwarden", {"vault.example.org"});
  BOOST_TEST(none.state == MonitorState::no_monitor);
  BOOST_TEST(none.monitor.empty());
  BOOST_TEST(none.detail == "no Uptime Kuma monitor named 'vaultwarden' or watching vault.example.org");
  // A prefix is not a match.
  BOOST_TEST(kuma::select_monitor(monitors, "immich-m", {}).state == MonitorState::no_monitor);
}

BOOST_AUTO_TEST_CASE(a_name_match_wins_and_among_equals_the_worst_news_decides) {
  const std::vector<kuma::KumaMonitor> monitors{monitor("Immich", "https://other.example.org", 1),
                                                monitor("Immich API", "https://immich.example.org", 0)};
  auto named = kuma::select_monitor(monitors, "immich", {"immich.example.org"});
  BOOST_TEST(named.state == MonitorState::up);
  BOOST_TEST(named.monitor == "Immich");

  const std::vector<kuma::KumaMonitor> same_host{monitor("Front", "https://immich.example.org", 3),
                                                 monitor("Keyword", "https://immich.example.org/", 1),
                                                 monitor("Api", "https://immich.example.org/api", 2)};
  auto chosen = kuma::select_monitor(same_host, "immich", {"immich.example.org"});
  BOOST_TEST(chosen.state == MonitorState::pending);
  BOOST_TEST(chosen.monitor == "Api");
  BOOST_TEST(chosen.detail.find("also matching: 'Front' maintenance, 'Keyword' up") != std::string::npos);
  // Maintenance only decides when nothing else says anything.
  auto up = kuma::select_monitor({same_host[0], same_host[1]}, "immich", {"immich.example.org"});
  BOOST_TEST(up.state == MonitorState::up);
}

BOOST_AUTO_TEST_SUITE_END()
