#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "net/support.hpp"
#include "support/coro.hpp"
#include "sandbox/helm/chart_repo.hpp"
#include "upgrade_agent/adapters/helm/helm.hpp"

namespace asio = boost::asio;
namespace helm = ua::adapters::helm;
using namespace std::chrono_literals;
using ua::test::run_coro;
using ua::test::seconds_since;

namespace {

std::string contract_index() {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/helm-index.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Peak resident memory since the last reset (Linux: /proc/self/clear_refs "5").
long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear);
}
long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

const char* kSeveral = R"(apiVersion: v1
entries:
  app:
  - appVersion: "v1.4.0"
    version: 3.1.0-beta.1
    name: app
  - appVersion: 1.4.0
    version: 2.10.0
    name: app
    dependencies:
    - name: redis
      version: 99.0.0
  - appVersion: v1.4.0
    version: 2.9.1
  - appVersion: 1.4.0
    version: 2.11.0
    deprecated: true
  - appVersion: 1.3.0
    version: 2.8.0
    annotations:
      version: "not this one"
  other:
  - {appVersion: 1.4.0, version: 9.0.0, name: other}
  empty: []
generated: "2026-04-18T09:12:05Z"
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(helm_index)

BOOST_AUTO_TEST_CASE(contract_index_skips_the_prerelease_chart) {
  auto index = helm::parse_index(contract_index());
  BOOST_REQUIRE(index);
  const auto& versions = index->charts.at("authentik");
  BOOST_REQUIRE_EQUAL(versions.size(), 3U);
  BOOST_TEST(versions[2].version == "2026.2.2-rc1");
  BOOST_TEST(versions[2].app_version == "2026.2.2");
  BOOST_TEST(helm::newest_for_app_version(versions, "2026.2.2")->version == "2026.2.2");
  BOOST_TEST(helm::newest_for_app_version(versions, "v2026.2.3")->version == "2026.2.3");
  BOOST_TEST(!helm::newest_for_app_version(versions, "2026.2.4"));
}

BOOST_AUTO_TEST_CASE(several_charts_prereleases_and_deprecations) {
  auto index = helm::parse_index(kSeveral);
  BOOST_REQUIRE(index);
  BOOST_TEST(index->charts.size() == 3U);
  BOOST_TEST(index->versions_seen == 6U);
  BOOST_TEST(index->charts.at("empty").empty());
  const auto& app = index->charts.at("app");
  BOOST_REQUIRE_EQUAL(app.size(), 5U);
  BOOST_TEST(app[1].version == "2.10.0");  // not the dependency's 99.0.0
  BOOST_TEST(app[4].version == "2.8.0");   // not the annotation's "version"
  BOOST_TEST(app[3].deprecated);
  // 3.1.0-beta.1 is a pre-release, 2.11.0 deprecated; 2.10.0 beats 2.9.1 in SemVer order.
  BOOST_TEST(helm::newest_for_app_version(app, "v1.4.0")->version == "2.10.0");
  BOOST_TEST(helm::newest_for_app_version(app, "1.3.0")->version == "2.8.0");
  BOOST_TEST(index->charts.at("other").at(0).version == "9.0.0");  // flow style
  auto only = helm::parse_index(kSeveral, std::string_view("other"));
  BOOST_REQUIRE(only);
  BOOST_TEST(only->charts.size() == 1U);
  BOOST_TEST(only->versions_seen == 6U);
}

BOOST_AUTO_TEST_CASE(chart_keys_as_yaml_reads_them) {
  // Found by fuzzing: a space before the colon is not part of the key.
  auto r = helm::parse_index("apiVersion: v1\nentries:\n  app :\n  - version: 1.0.0\n    appVersion: 1.0.0\n",
                             std::string_view("app"));
  BOOST_REQUIRE(r);
  BOOST_TEST(r->charts.at("app").size() == 1U);
}

BOOST_AUTO_TEST_CASE(version_helpers) {
  BOOST_TEST(helm::is_prerelease_version("1.0.0-rc.1"));
  BOOST_TEST(helm::is_prerelease_version("v2026.2.2-rc1"));
  BOOST_TEST(!helm::is_prerelease_version("1.0.0+build-5"));
  BOOST_TEST(!helm::is_prerelease_version("2026.2.3"));
  BOOST_TEST(helm::app_version_matches("v1.2.3", "1.2.3"));
  BOOST_TEST(helm::app_version_matches("1.2.3", "v1.2.3"));
  BOOST_TEST(!helm::app_version_matches("1.2.3", "1.2.30"));
  BOOST_TEST(!helm::app_version_matches("", ""));
}

BOOST_AUTO_TEST_CASE(bad_input_is_named) {
  auto bad = helm::parse_index("apiVersion: v1\nentries:\n  a: [unclosed\n");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().message.find("not valid YAML at line") != std::string::npos, bad.error().message);
  auto no_entries = helm::parse_index("apiVersion: v1\ncharts: {}\n");
  BOOST_REQUIRE(!no_entries);
  BOOST_TEST(no_entries.error().message.find("no 'entries'") != std::string::npos);
  BOOST_TEST(!helm::parse_index("<html>not yaml</html>"));
}

BOOST_AUTO_TEST_CASE(per_chart_and_whole_file_parsing_agree) {
  // Helm's own layout is parsed chart by chart; anything else (here: one
  // flow-style chart) goes through the whole-file event parser.
  const auto helm_layout = ua::sandbox::helm::generate_index(1U << 20U);
  auto other_layout = helm_layout;
  other_layout.insert(other_layout.find("generated:"), "  zz-flow: []\n");
  auto a = helm::parse_index(helm_layout);
  auto b = helm::parse_index(other_layout);
  BOOST_REQUIRE(a);
  BOOST_REQUIRE(b);
  BOOST_TEST(b->charts.count("zz-flow") == 1U);
  b->charts.erase("zz-flow");
  BOOST_TEST(a->versions_seen == b->versions_seen);
  BOOST_REQUIRE_EQUAL(a->charts.size(), b->charts.size());
  for (const auto& [name, versions] : a->charts) {
    const auto& other = b->charts.at(name);
    BOOST_REQUIRE_EQUAL(versions.size(), other.size());
    for (std::size_t i = 0; i < versions.size(); ++i) {
      BOOST_TEST(versions[i].version == other[i].version);
      BOOST_TEST(versions[i].app_version == other[i].app_version);
    }
  }
  auto only_a = helm::parse_index(helm_layout, std::string_view("authentik"));
  auto only_b = helm::parse_index(other_layout, std::string_view("authentik"));
  BOOST_TEST(only_a->versions_seen == a->versions_seen);
  BOOST_TEST(only_b->versions_seen == a->versions_seen);
  BOOST_TEST(only_a->charts.at("authentik").size() == 3U);
  BOOST_TEST(only_b->charts.at("authentik").size() == 3U);
}

BOOST_AUTO_TEST_CASE(errors_name_the_line_of_the_file) {
  const std::string text = "apiVersion: v1\nentries:\n  good:\n  - version: 1.0.0\n    appVersion: 1.0.0\n"
                           "  bad:\n  - version: 1.0.0\n    appVersion: [1, 2\n  - version: 2.0.0\ngenerated: now\n";
  auto r = helm::parse_index(text, std::string_view("bad"));
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("at line 9, column 12") != std::string::npos, r.error().message);
  auto flow = text;
  flow.insert(flow.find("generated:"), "  flow: []\n");  // forces the whole-document parser
  auto whole = helm::parse_index(flow);
  BOOST_REQUIRE(!whole);
  BOOST_TEST(whole.error().message == r.error().message);
}

BOOST_AUTO_TEST_CASE(twenty_megabyte_index_within_a_memory_bound) {
  auto text = ua::sandbox::helm::generate_index(20U << 20U);
  BOOST_REQUIRE_GE(text.size(), 20U << 20U);
  const bool can_reset = reset_peak_rss();
  const long before = can_reset ? peak_rss_kb() : rss_kb();
  const auto start = std::chrono::steady_clock::now();
  auto index = helm::parse_index(text, std::string_view("authentik"));
  const double took = seconds_since(start);
  const long extra_kb = peak_rss_kb() - before;
  BOOST_REQUIRE(index);
  BOOST_TEST(index->charts.at("authentik").size() == 3U);
  BOOST_TEST(index->versions_seen > 10000U);
  BOOST_TEST_MESSAGE("20 MiB index: " << index->versions_seen << " chart versions, parsed in " << took
                                        << " s, peak memory above the text itself: " << extra_kb << " KiB");
  // The bound stated in the README: the text, plus under 1 MiB while parsing
  // (one chart's part at a time).
  BOOST_TEST(extra_kb < 1024);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(helm_client)

struct Fixture {
  asio::io_context io;
  ua::runtime::BlockingPool pool{1};
  ua::net::Client http{io.get_executor()};
  helm::Client client{http, pool};

  helm::ChartLookup lookup(const std::string& repo, const std::string& chart, const std::string& tag,
                           std::chrono::milliseconds budget = 20s) {
    auto r = ua::test::run_expected(io, client.chart_for_app_version(repo, chart, tag, std::chrono::steady_clock::now() + budget, {}));
    BOOST_REQUIRE_MESSAGE(r, "an answer, not an error");
    return *r;
  }
};

BOOST_FIXTURE_TEST_CASE(large_index_over_http, Fixture) {
  ua::sandbox::helm::ChartRepo repo(io.get_executor(), ua::sandbox::helm::generate_index(20U << 20U));
  BOOST_REQUIRE(repo.start());
  auto found = lookup(repo.url() + "/", "authentik", "2026.2.2");
  BOOST_REQUIRE_MESSAGE(found.chosen, found.reason);
  BOOST_TEST(found.chosen->version == "2026.2.2");
  BOOST_TEST(found.chart_versions == 3U);
  BOOST_TEST(found.index_bytes >= (20U << 20U));
  auto with_current = ua::test::run_expected(io, client.chart_for_app_version(repo.url(), "authentik", "2026.2.3",
                                                                std::chrono::steady_clock::now() + 20s, "2026.2.2"))
                          .value();
  BOOST_TEST(with_current.current_app_version.value_or("") == "2026.2.2");
  BOOST_TEST(with_current.chosen->version == "2026.2.3");
  auto none = lookup(repo.url(), "authentik", "2027.1.0");
  BOOST_TEST(!none.chosen);
  BOOST_TEST(none.reason.find("no released version of chart authentik ships appVersion 2027.1.0") == 0U, none.reason);
  auto missing = lookup(repo.url(), "nosuchchart", "1.0.0");
  BOOST_TEST(missing.reason.find("has no chart 'nosuchchart'") != std::string::npos, missing.reason);
  repo.stop();
}

BOOST_FIXTURE_TEST_CASE(oci_is_flagged_not_guessed, Fixture) {
  auto r = lookup("oci://ghcr.io/woodpecker-ci/helm", "woodpecker", "3.0.0");
  BOOST_TEST(r.manual_review);
  BOOST_TEST(!r.chosen);
  BOOST_TEST(r.reason.find("flagged for manual review") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(unreachable_and_slow_repositories, Fixture) {
  ua::sandbox::helm::ChartRepo repo(io.get_executor(), contract_index());
  BOOST_REQUIRE(repo.start());
  auto wrong_path = lookup(repo.url() + "/sub", "authentik", "2026.2.3");
  BOOST_TEST(wrong_path.reason.find("answered 404") != std::string::npos, wrong_path.reason);
  repo.set_delay(3s);
  const auto start = std::chrono::steady_clock::now();
  auto slow = lookup(repo.url(), "authentik", "2026.2.3", 500ms);
  BOOST_TEST(seconds_since(start) < 1.5);
  BOOST_TEST(!slow.chosen);
  BOOST_TEST(slow.reason.find("cannot read the chart index") == 0U, slow.reason);
  repo.stop();
}

BOOST_FIXTURE_TEST_CASE(a_cancelled_lookup_is_cancelled_not_a_reason, Fixture) {
  ua::sandbox::helm::ChartRepo repo(io.get_executor(), ua::sandbox::helm::generate_index(64U << 10U));
  BOOST_REQUIRE(repo.start());
  repo.set_delay(3s);
  const auto begun = std::chrono::steady_clock::now();
  auto r = ua::test::run_and_cancel(
      io, client.chart_for_app_version(repo.url(), "authentik", "2026.2.3", begun + 20s, "2026.2.2"), 100ms);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().kind == ua::core::ErrorKind::cancelled);
  BOOST_TEST(r.error().system == "helm");
  BOOST_TEST(ua::test::seconds_since(begun) < 2.0);
  repo.stop();
}

BOOST_AUTO_TEST_SUITE_END()
