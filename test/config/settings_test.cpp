#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "upgrade_agent/config/settings.hpp"

using namespace std::chrono_literals;
using ua::config::Problem;

namespace {

ua::config::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string dump(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.where + ": " + p.message + "\n";
  return out;
}

bool mentions(const std::vector<Problem>& problems, const std::string& where, const std::string& says) {
  return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) {
    return p.where.find(where) != std::string::npos && p.message.find(says) != std::string::npos;
  });
}

struct TempFile {
  explicit TempFile(const std::string& text) {
    path = std::filesystem::temp_directory_path() /
           ("ua-settings-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".json");
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::filesystem::path path;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(durations) {
  using ua::config::parse_duration;
  BOOST_TEST(parse_duration("500ms")->count() == 500);
  BOOST_TEST(parse_duration("30s")->count() == 30'000);
  BOOST_TEST(parse_duration("15m")->count() == 900'000);
  BOOST_TEST(parse_duration("2h")->count() == 7'200'000);
  BOOST_TEST(parse_duration("1h30m")->count() == 5'400'000);
  for (const char* bad : {"", "30", "s", "1x", "-5s", "1.5s", "30 s", "99999999999h"}) {
    BOOST_TEST_CONTEXT(bad) {
      auto d = parse_duration(bad);
      BOOST_TEST_REQUIRE(!d.has_value());
      BOOST_TEST(d.error().message.find("invalid duration") != std::string::npos);
    }
  }
  BOOST_TEST(ua::config::format_duration(90'000ms) == "1m30s");
  BOOST_TEST(ua::config::format_duration(500ms) == "500ms");
}

BOOST_AUTO_TEST_CASE(defaults_match_the_design) {
  const auto load = ua::config::load_settings(std::nullopt, env_of({}));
  BOOST_TEST(load.problems.empty(), dump(load.problems));
  const auto& s = load.settings;
  BOOST_TEST(s.repo == ".");
  BOOST_TEST(s.config_path() == std::filesystem::path("./.claude/reference/upgrade-config.json"));
  BOOST_TEST(s.github_api_url == "https://api.github.com");
  BOOST_TEST(s.git_remote == "origin");
  BOOST_TEST(s.git_branch == "master");
  BOOST_TEST(s.woodpecker_workflow == "default");
  BOOST_TEST(s.health_scheme == "https");
  BOOST_TEST((s.ci_poll_interval == 30s && s.ci_timeout == 15min && s.verify_window_safe == 2min));
  BOOST_TEST((s.verify_window_caution == 10min && s.check_interval == 15s && s.backup_timeout == 300s));
  BOOST_TEST((s.ceiling == 30min && s.follow_up_window == 10min));
  BOOST_TEST(s.max_concurrency == 10u);
  BOOST_TEST(s.rate_limit.count == 5u);
  BOOST_TEST((s.rate_limit.window == 6h));
}

BOOST_AUTO_TEST_CASE(file_then_environment) {
  TempFile file(R"({"repo": "/srv/infra", "ceiling": "20m", "ci_timeout": "5m", "max_concurrency": 3,
                    "step_mode": "each", "colour": "blue"})");
  const auto load = ua::config::load_settings(
      file.path, env_of({{"UPGRADE_AGENT_CEILING", "25m"}, {"GIT_BRANCH", "main"}, {"GITHUB_TOKEN", "ghp_secret"}}));
  BOOST_TEST(!ua::config::has_errors(load.problems), dump(load.problems));
  BOOST_TEST(mentions(load.problems, "colour", "unknown key"), dump(load.problems));
  const auto& s = load.settings;
  BOOST_TEST(s.repo == "/srv/infra");
  BOOST_TEST((s.ceiling == 25min));  // the environment wins
  BOOST_TEST((s.ci_timeout == 5min));
  BOOST_TEST(s.max_concurrency == 3u);
  BOOST_TEST((s.step_mode == ua::config::StepMode::each));
  BOOST_TEST(s.git_branch == "main");
  BOOST_TEST(s.github_token.reveal() == "ghp_secret");
  BOOST_TEST(s.github_token.redacted() == "***");
}

BOOST_AUTO_TEST_CASE(secrets_in_a_file_are_refused_without_echoing_them) {
  TempFile file(R"({"github_token": "ghp_leaked", "slack_webhook_url": "https://hooks.slack.com/services/T/B/x"})");
  const auto load = ua::config::load_settings(file.path, env_of({}));
  BOOST_TEST(mentions(load.problems, "github_token", "set GITHUB_TOKEN instead"), dump(load.problems));
  BOOST_TEST(mentions(load.problems, "slack_webhook_url", "environment only"), dump(load.problems));
  BOOST_TEST(dump(load.problems).find("ghp_leaked") == std::string::npos);
  BOOST_TEST(load.settings.github_token.empty());
}

BOOST_AUTO_TEST_CASE(every_bad_value_is_named) {
  const auto load = ua::config::load_settings(
      std::nullopt, env_of({{"UPGRADE_AGENT_CI_POLL_INTERVAL", "30"},
                            {"GITHUB_API_URL", "api.github.com"},
                            {"GIT_BRANCH", "ma..ster"},
                            {"GIT_REMOTE", "-origin"},
                            {"WOODPECKER_REPO", "just-a-name"},
                            {"UPGRADE_AGENT_MAX_CONCURRENCY", "0"},
                            {"UPGRADE_AGENT_RATE_LIMIT", "5 per hour"},
                            {"UPGRADE_AGENT_HEALTH_SCHEME", "ftp"},
                            {"UPGRADE_AGENT_STEP_MODE", "sometimes"},
                            {"UPGRADE_AGENT_CONNECT_TO", "a:1:b"},
                            {"UPGRADE_AGENT_CEILING", "10m"},
                            {"SLACK_WEBHOOK_URL", "hooks.slack.com/x"},
                            {"WOODPECKER_API_TOKEN", "tok\n"},
                            {"UPGRADE_AGENT_GIT_SSH_KEY", "/nonexistent/id_ed25519"}}));
  const auto& p = load.problems;
  for (const char* var : {"UPGRADE_AGENT_CI_POLL_INTERVAL", "GITHUB_API_URL", "GIT_BRANCH", "GIT_REMOTE",
                          "WOODPECKER_REPO", "UPGRADE_AGENT_MAX_CONCURRENCY", "UPGRADE_AGENT_RATE_LIMIT",
                          "UPGRADE_AGENT_HEALTH_SCHEME", "UPGRADE_AGENT_STEP_MODE", "UPGRADE_AGENT_CONNECT_TO",
                          "UPGRADE_AGENT_CEILING", "SLACK_WEBHOOK_URL", "WOODPECKER_API_TOKEN",
                          "UPGRADE_AGENT_GIT_SSH_KEY"}) {
    BOOST_TEST(mentions(p, var, ""), var << " not reported:\n" << dump(p));
  }
  BOOST_TEST(dump(p).find("hooks.slack.com") == std::string::npos, "a secret was echoed");
}

BOOST_AUTO_TEST_CASE(missing_secrets_stop_a_run_at_start_naming_each) {
  const auto load = ua::config::load_settings(std::nullopt, env_of({{"SLACK_WEBHOOK_URL", ""}}));
  const auto missing = ua::config::missing_requirements(load.settings, ua::config::Needs::serve);
  for (const char* var : {"SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "WOODPECKER_URL", "WOODPECKER_API_TOKEN",
                          "WOODPECKER_REPO", "UPGRADE_AGENT_WEBHOOK_TOKEN"}) {
    BOOST_TEST(mentions(missing, var, "empty or unset"), var);
  }
  BOOST_TEST(ua::config::missing_requirements(load.settings, ua::config::Needs::plan).empty());
  const auto run = ua::config::missing_requirements(load.settings, ua::config::Needs::run);
  BOOST_TEST(!mentions(run, "UPGRADE_AGENT_WEBHOOK_TOKEN", ""));
}

BOOST_AUTO_TEST_CASE(connect_to_and_rate_limit) {
  auto ct = ua::config::parse_connect_to("api.github.com:443:127.0.0.1:8443,:80:localhost:,[::1]:443:[::1]:9443");
  BOOST_TEST_REQUIRE(ct.has_value(), (ct.has_value() ? std::string() : ct.error().message));
  BOOST_TEST_REQUIRE(ct->size() == 3u);
  BOOST_TEST((*ct)[0].host == "api.github.com");
  BOOST_TEST((*ct)[0].port == 443);
  BOOST_TEST((*ct)[0].target_host == "127.0.0.1");
  BOOST_TEST((*ct)[0].target_port == 8443);
  BOOST_TEST((*ct)[1].host.empty());
  BOOST_TEST((*ct)[1].target_port == 0);
  BOOST_TEST((*ct)[2].host == "[::1]");
  BOOST_TEST(!ua::config::parse_connect_to("a:99999:b:1").has_value());
  BOOST_TEST(!ua::config::parse_connect_to("a;rm:1:b:1").has_value());
  auto rl = ua::config::parse_rate_limit("5/6h");
  BOOST_TEST_REQUIRE(rl.has_value());
  BOOST_TEST(rl->count == 5u);
  BOOST_TEST((rl->window == 6h));
  BOOST_TEST(!ua::config::parse_rate_limit("0/1h").has_value());
  BOOST_TEST(!ua::config::parse_rate_limit("5/").has_value());
}

BOOST_AUTO_TEST_CASE(search_roots_and_config_changes) {
  const auto defaults = ua::config::load_settings(std::nullopt, env_of({}));
  BOOST_TEST((defaults.settings.search_roots == std::vector<std::string>{"stacks"}));
  BOOST_TEST(defaults.settings.config_changes);
  const auto set = ua::config::load_settings(
      std::nullopt, env_of({{"UPGRADE_AGENT_SEARCH_ROOTS", " infra/live/, ./stacks,stacks "},
                            {"UPGRADE_AGENT_CONFIG_CHANGES", "off"}}));
  BOOST_TEST(set.problems.empty(), dump(set.problems));
  BOOST_TEST((set.settings.search_roots == std::vector<std::string>{"infra/live", "stacks"}));
  BOOST_TEST(!set.settings.config_changes);
  for (const char* bad : {"/etc", "../other", "stacks,.git", ", ,"}) {
    const auto load = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_SEARCH_ROOTS", bad}}));
    BOOST_TEST(mentions(load.problems, "UPGRADE_AGENT_SEARCH_ROOTS", ""), bad);
    BOOST_TEST((load.settings.search_roots == std::vector<std::string>{"stacks"}), bad);
  }
  const auto wrong = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_CONFIG_CHANGES", "yes"}}));
  BOOST_TEST(mentions(wrong.problems, "UPGRADE_AGENT_CONFIG_CHANGES", "'on' or 'off'"), dump(wrong.problems));
}

BOOST_AUTO_TEST_SUITE_END()
