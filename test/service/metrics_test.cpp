// The /metrics text, read back the way a scraper reads it.
#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "upgrade_agent/service/metrics.hpp"

namespace ua::test {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram
  std::map<std::string, std::string> helps;

  [[nodiscard]] const Sample* find(const std::string& name, const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return &s;
    }
    return nullptr;
  }
  [[nodiscard]] double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    const auto* s = find(name, labels);
    BOOST_REQUIRE_MESSAGE(s != nullptr, "no sample " + name);
    return s->value;
  }
};

// The text format (0.0.4): `name{label="value",...} number`, values escaped
// with \\, \" and \n. Fails the test on anything else.
Exposition parse(const std::string& text) {
  Exposition out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    BOOST_REQUIRE_MESSAGE(!line.empty(), "an empty line in the exposition");
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const auto rest = line.substr(7);
      const auto sp = rest.find(' ');
      BOOST_REQUIRE(sp != std::string::npos);
      (line[2] == 'H' ? out.helps : out.types)[rest.substr(0, sp)] = rest.substr(sp + 1);
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (line.at(i) != '}') {
        std::string key;
        while (line.at(i) != '=') key += line[i++];
        ++i;
        BOOST_REQUIRE_EQUAL(line.at(i), '"');
        ++i;
        std::string value;
        for (;;) {
          const char c = line.at(i++);
          if (c == '"') break;
          if (c == '\\') {
            const char e = line.at(i++);
            BOOST_REQUIRE_MESSAGE(e == '\\' || e == '"' || e == 'n', "bad escape in " + line);
            value += e == 'n' ? '\n' : e;
          } else {
            value += c;
          }
        }
        s.labels[key] = value;
        if (line.at(i) == ',') ++i;
      }
      ++i;
    }
    BOOST_REQUIRE_EQUAL(line.at(i), ' ');
    const std::string number = line.substr(i + 1);
    s.value = number == "+Inf" ? 1e308 : std::stod(number);
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(a_fresh_registry_names_the_build_and_zero_gauges) {
  service::Metrics m("1.2.3");
  const auto e = parse(m.render());
  BOOST_TEST(e.value("upgrade_agent_build_info", {{"version", "1.2.3"}}) == 1);
  BOOST_TEST(e.types.at("upgrade_agent_build_info") == "gauge");
  BOOST_TEST(e.value("upgrade_agent_queue_depth") == 0);
  BOOST_TEST(e.value("upgrade_agent_rate_limit_deferrals_total") == 0);
  // Families without series yet are still announced, with their types.
  BOOST_TEST(e.types.at("upgrade_agent_sagas_total") == "counter");
  BOOST_TEST(e.types.at("upgrade_agent_step_duration_seconds") == "histogram");
  BOOST_TEST(e.find("upgrade_agent_sagas_total", {{"outcome", "upgraded"}}) == nullptr);
}

BOOST_AUTO_TEST_CASE(counters_gauges_and_histograms_read_back) {
  service::Metrics m("0.1.0");
  m.count_request("/webhook/diun", 202);
  m.count_request("/webhook/diun", 202);
  m.count_request("/webhook/diun", 401);
  m.count_intake("accepted");
  m.count_saga("upgraded");
  m.count_saga("rolled_back");
  m.count_saga("upgraded");
  m.count_outside_error("woodpecker", "timeout");
  m.count_deferral();
  m.count_deferral();
  m.set_queue_depth(7);
  m.set_running(3);
  m.set_holds(1);
  m.observe_step("publish", 0.2);   // bucket 0.25
  m.observe_step("publish", 3.0);   // bucket 5
  m.observe_step("publish", 9000);  // past every bound: +Inf only
  const auto e = parse(m.render());
  BOOST_TEST(e.value("upgrade_agent_http_requests_total", {{"endpoint", "/webhook/diun"}, {"code", "202"}}) == 2);
  BOOST_TEST(e.value("upgrade_agent_http_requests_total", {{"endpoint", "/webhook/diun"}, {"code", "401"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_intake_requests_total", {{"verdict", "accepted"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_sagas_total", {{"outcome", "upgraded"}}) == 2);
  BOOST_TEST(e.value("upgrade_agent_sagas_total", {{"outcome", "rolled_back"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_outside_errors_total", {{"system", "woodpecker"}, {"kind", "timeout"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_rate_limit_deferrals_total") == 2);
  BOOST_TEST(e.value("upgrade_agent_queue_depth") == 7);
  BOOST_TEST(e.value("upgrade_agent_running_sagas") == 3);
  BOOST_TEST(e.value("upgrade_agent_active_holds") == 1);
  const std::string b = "upgrade_agent_step_duration_seconds_bucket";
  BOOST_TEST(e.value(b, {{"step", "publish"}, {"le", "0.05"}}) == 0);
  BOOST_TEST(e.value(b, {{"step", "publish"}, {"le", "0.25"}}) == 1);
  BOOST_TEST(e.value(b, {{"step", "publish"}, {"le", "5"}}) == 2);  // cumulative
  BOOST_TEST(e.value(b, {{"step", "publish"}, {"le", "3600"}}) == 2);
  BOOST_TEST(e.value(b, {{"step", "publish"}, {"le", "+Inf"}}) == 3);
  BOOST_TEST(e.value("upgrade_agent_step_duration_seconds_count", {{"step", "publish"}}) == 3);
  BOOST_TEST(e.value("upgrade_agent_step_duration_seconds_sum", {{"step", "publish"}}) == 9003.2,
             boost::test_tools::tolerance(1e-9));
  // Every counter family ends in _total and every family has its help text.
  for (const auto& [family, type] : e.types) {
    BOOST_TEST(family.rfind("upgrade_agent_", 0) == 0U);
    if (type == "counter") BOOST_TEST(family.ends_with("_total"), family);
    BOOST_TEST(e.helps.count(family) == 1U, family);
  }
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  BOOST_TEST(service::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  service::Metrics m("v\"1\\\n");
  m.count_outside_error("sys\"tem", "a\\b\nc");
  const auto text = m.render();
  BOOST_TEST(text.find("version=\"v\\\"1\\\\\\n\"") != std::string::npos);
  const auto e = parse(text);  // one line per sample: the newline did not break it
  BOOST_TEST(e.value("upgrade_agent_build_info", {{"version", "v\"1\\\n"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_outside_errors_total", {{"system", "sys\"tem"}, {"kind", "a\\b\nc"}}) == 1);
}

BOOST_AUTO_TEST_CASE(the_observer_times_steps_and_counts_outside_errors) {
  service::Metrics m("0");
  service::MetricsObserver observer(m);
  const auto t = core::Clock::now();
  auto ev = [&](saga::EventKind kind, saga::Step step, std::chrono::milliseconds at, std::string job = "1") {
    saga::Event e;
    e.kind = kind;
    e.step = step;
    e.job = std::move(job);
    e.at = t + at;
    return e;
  };
  observer.on_event(ev(saga::EventKind::started, saga::Step::publish, std::chrono::milliseconds(0)));
  observer.on_event(ev(saga::EventKind::started, saga::Step::publish, std::chrono::milliseconds(100), "2"));
  observer.on_event(ev(saga::EventKind::finished, saga::Step::publish, std::chrono::milliseconds(2000)));
  auto failed = ev(saga::EventKind::failed, saga::Step::publish, std::chrono::milliseconds(400), "2");
  failed.error = core::make_error(core::ErrorKind::conflict, "push rejected", "git", "push");
  observer.on_event(failed);
  auto report = ev(saga::EventKind::report_failed, saga::Step::report, std::chrono::milliseconds(500));
  report.error = core::make_error(core::ErrorKind::unavailable, "503", "slack", "post");
  observer.on_event(report);
  auto cancelled = ev(saga::EventKind::failed, saga::Step::verify, std::chrono::milliseconds(600));
  cancelled.error = core::make_error(core::ErrorKind::cancelled, "stopping", "kubernetes", "list pods");
  observer.on_event(cancelled);
  // A finish without a start (a resumed saga) times nothing.
  observer.on_event(ev(saga::EventKind::finished, saga::Step::wait_for_ci, std::chrono::milliseconds(700)));

  const auto e = parse(m.render());
  BOOST_TEST(e.value("upgrade_agent_step_duration_seconds_count", {{"step", "publish"}}) == 2);
  BOOST_TEST(e.value("upgrade_agent_step_duration_seconds_sum", {{"step", "publish"}}) == 2.3,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.find("upgrade_agent_step_duration_seconds_count", {{"step", "wait_for_ci"}}) == nullptr);
  BOOST_TEST(e.value("upgrade_agent_outside_errors_total", {{"system", "git"}, {"kind", "conflict"}}) == 1);
  BOOST_TEST(e.value("upgrade_agent_outside_errors_total", {{"system", "slack"}, {"kind", "unavailable"}}) == 1);
  BOOST_TEST(e.find("upgrade_agent_outside_errors_total", {{"system", "kubernetes"}, {"kind", "cancelled"}}) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ua::test
