// config::load_setup, the one loader of settings, repository and upgrade
// config, and the mapping of config problems onto core::Error by kind: what
// a caller decides on is the kind, never the text.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "upgrade_agent/config/setup.hpp"

namespace fs = std::filesystem;
using ua::config::Needs;
using ua::config::Problem;
using ua::core::ErrorKind;

namespace {

ua::config::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A repository folder, with or without its default upgrade config.
struct Repo {
  fs::path root;
  explicit Repo(bool with_config = true) {
    std::random_device rd;
    root = fs::temp_directory_path() / ("ua-setup-" + std::to_string(rd()));
    fs::create_directories(root / ".claude/reference");
    if (with_config) write(".claude/reference/upgrade-config.json", R"({"skip_image_patterns": ["*postgres*"]})");
  }
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;
  ~Repo() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path write(const std::string& rel, const std::string& text) const {
    const auto p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

ua::config::SetupRequest request(Needs needs, const Repo& repo) {
  ua::config::SetupRequest r;
  r.needs = needs;
  r.repo = repo.root;
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(problems_to_error)

BOOST_AUTO_TEST_CASE(the_first_errors_kind_decides_and_every_error_is_named) {
  const std::vector<Problem> problems = {
      {Problem::Severity::warning, "$.extra", "unknown key", ErrorKind::bad_input},
      {Problem::Severity::error, "settings.json", "cannot read the settings file", ErrorKind::not_found},
      {Problem::Severity::error, "UPGRADE_AGENT_CEILING", "not a duration", ErrorKind::bad_input},
  };
  const auto e = ua::config::to_error(problems, "settings", "load settings");
  BOOST_TEST(e.kind == ErrorKind::not_found);
  BOOST_TEST(e.system == "config");
  BOOST_TEST(e.operation == "load settings");
  BOOST_TEST(e.message ==
             "settings: settings.json: cannot read the settings file\nsettings: UPGRADE_AGENT_CEILING: not a duration");
  BOOST_TEST(!contains(e.message, "unknown key"));  // warnings are not the error
}

BOOST_AUTO_TEST_CASE(no_error_at_all_is_a_callers_bug) {
  const std::vector<Problem> warnings = {{Problem::Severity::warning, "$.x", "unknown key"}};
  BOOST_TEST(ua::config::to_error(warnings, "settings", "load settings").kind == ErrorKind::internal);
}

BOOST_AUTO_TEST_CASE(loaders_give_their_problems_a_kind) {
  // A file that is not there is not_found; one that is there but wrong is bad_input.
  const auto absent = ua::config::load_upgrade_config("/nonexistent/upgrade-config.json");
  BOOST_REQUIRE(!absent.problems.empty());
  BOOST_TEST(absent.problems.front().kind == ErrorKind::not_found);
  const auto wrong = ua::config::parse_upgrade_config(R"({"skip_image_patterns": 7})");
  BOOST_REQUIRE(ua::config::has_errors(wrong.problems));
  BOOST_TEST(wrong.problems.front().kind == ErrorKind::bad_input);
  const auto no_file = ua::config::load_settings(fs::path("/nonexistent/settings.json"), env_of({}));
  BOOST_REQUIRE(!no_file.problems.empty());
  BOOST_TEST(no_file.problems.front().kind == ErrorKind::not_found);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(load_setup)

BOOST_AUTO_TEST_CASE(repo_config_and_settings_come_from_one_call) {
  Repo repo;
  const auto setup = ua::config::load_setup(request(Needs::run, repo), env_of({{"UPGRADE_AGENT_CEILING", "45m"}}));
  BOOST_REQUIRE_MESSAGE(setup.has_value(), (setup ? std::string() : setup.error().describe()));
  BOOST_TEST(setup->settings.repo == repo.root);
  BOOST_TEST(setup->settings.ceiling == std::chrono::minutes(45));
  BOOST_TEST(setup->config_path == repo.root / ".claude/reference/upgrade-config.json");
  BOOST_REQUIRE(setup->config.has_value());
  BOOST_TEST(setup->config->skip_image_patterns.size() == 1U);
  for (const auto& w : setup->warnings) BOOST_TEST(!contains(w, "upgrade config"), w);
}

BOOST_AUTO_TEST_CASE(command_line_options_win_over_the_environment) {
  Repo repo;
  Repo other;
  const auto named = other.write("mine.json", R"({"skip_image_patterns": ["a*", "b*"]})");
  auto r = request(Needs::run, repo);
  r.config_file = named;
  const auto setup = ua::config::load_setup(
      r, env_of({{"UPGRADE_AGENT_REPO", other.root.string()}, {"UPGRADE_AGENT_CONFIG", "/nonexistent.json"}}));
  BOOST_REQUIRE_MESSAGE(setup.has_value(), (setup ? std::string() : setup.error().describe()));
  BOOST_TEST(setup->settings.repo == repo.root);
  BOOST_TEST(setup->config_path == named);
  BOOST_TEST(setup->config->skip_image_patterns.size() == 2U);
}

BOOST_AUTO_TEST_CASE(a_bad_setting_is_bad_input_naming_it) {
  Repo repo;
  const auto setup = ua::config::load_setup(request(Needs::run, repo), env_of({{"UPGRADE_AGENT_CEILING", "90"}}));
  BOOST_REQUIRE(!setup.has_value());
  BOOST_TEST(setup.error().kind == ErrorKind::bad_input);
  BOOST_TEST(setup.error().system == "config");
  BOOST_TEST(setup.error().message.rfind("settings: UPGRADE_AGENT_CEILING: ", 0) == 0U, setup.error().message);
}

BOOST_AUTO_TEST_CASE(a_missing_settings_file_or_repository_is_not_found) {
  Repo repo;
  auto r = request(Needs::run, repo);
  r.settings_file = repo.root / "absent.json";
  auto setup = ua::config::load_setup(r, env_of({}));
  BOOST_REQUIRE(!setup.has_value());
  BOOST_TEST(setup.error().kind == ErrorKind::not_found);

  r = request(Needs::plan, repo);
  r.repo = repo.root / "absent";
  setup = ua::config::load_setup(r, env_of({}));
  BOOST_REQUIRE(!setup.has_value());
  BOOST_TEST(setup.error().kind == ErrorKind::not_found);
  BOOST_TEST(setup.error().message == "repository " + (repo.root / "absent").string() + " is not a folder");

  // A file where the repository should be is the wrong input, not a missing one.
  r.repo = repo.write("plain-file", "x");
  setup = ua::config::load_setup(r, env_of({}));
  BOOST_REQUIRE(!setup.has_value());
  BOOST_TEST(setup.error().kind == ErrorKind::bad_input);
}

BOOST_AUTO_TEST_CASE(a_broken_upgrade_config_is_bad_input_with_every_error) {
  Repo repo;
  repo.write(".claude/reference/upgrade-config.json",
             R"({"skip_image_patterns": [""], "breaking_change_keywords": [""], "unknown": 1})");
  for (const auto needs : {Needs::plan, Needs::run}) {
    const auto setup = ua::config::load_setup(request(needs, repo), env_of({}));
    BOOST_REQUIRE(!setup.has_value());
    const auto& e = setup.error();
    BOOST_TEST(e.kind == ErrorKind::bad_input);
    BOOST_TEST(e.operation == "load upgrade config");
    BOOST_TEST(contains(e.message, "upgrade-config.json:$.skip_image_patterns[0]: empty pattern"), e.message);
    BOOST_TEST(contains(e.message, "upgrade-config.json:$.breaking_change_keywords[0]"), e.message);
  }
}

BOOST_AUTO_TEST_CASE(plan_and_edit_may_go_without_the_default_config_but_a_run_may_not) {
  Repo repo(false);
  const auto plan = ua::config::load_setup(request(Needs::plan, repo), env_of({}));
  BOOST_REQUIRE(plan.has_value());
  BOOST_TEST(!plan->config.has_value());
  BOOST_REQUIRE_EQUAL(plan->warnings.size(), 1U);
  BOOST_TEST(contains(plan->warnings.front(), "no upgrade config at "));

  const auto run = ua::config::load_setup(request(Needs::run, repo), env_of({}));
  BOOST_REQUIRE(!run.has_value());
  BOOST_TEST(run.error().kind == ErrorKind::not_found);

  // A config named on purpose must be there, for plan too.
  auto named = request(Needs::plan, repo);
  named.config_file = repo.root / "absent.json";
  const auto missing = ua::config::load_setup(named, env_of({}));
  BOOST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().kind == ErrorKind::not_found);
}

BOOST_AUTO_TEST_CASE(plan_only_stops_for_the_settings_the_scan_reads) {
  Repo repo;
  // A saga's setting gone wrong: plan and edit go on and say so.
  const auto plan = ua::config::load_setup(request(Needs::plan, repo), env_of({{"UPGRADE_AGENT_CEILING", "90"}}));
  BOOST_REQUIRE(plan.has_value());
  std::string all;
  for (const auto& w : plan->warnings) all += w + "\n";
  BOOST_TEST(plan->warnings.front().rfind("settings: UPGRADE_AGENT_CEILING: invalid duration '90'", 0) == 0U, all);
  // Where to look is read by the scan itself: that one stops them.
  const auto roots =
      ua::config::load_setup(request(Needs::plan, repo), env_of({{"UPGRADE_AGENT_SEARCH_ROOTS", "../outside"}}));
  BOOST_REQUIRE(!roots.has_value());
  BOOST_TEST(roots.error().kind == ErrorKind::bad_input);
  BOOST_TEST(contains(roots.error().message, "UPGRADE_AGENT_SEARCH_ROOTS"));
}

BOOST_AUTO_TEST_SUITE_END()
