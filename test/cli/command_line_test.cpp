// main registers only the command named on the line: help still lists every
// command, a global flag may come before the command, a misspelt command is bad
// input, and a command registered alone still checks its own options.
#include <boost/test/unit_test.hpp>

#include <array>
#include <string>

#include "support/child_process.hpp"

namespace ua::test {
namespace {

// The caller's settings stay out of the child.
const std::vector<std::string>& drop() {
  static const std::vector<std::string> names{"UPGRADE_AGENT_", "GITHUB_",      "WOODPECKER_",
                                              "SLACK_",         "UPTIME_KUMA_", "KUBECONFIG"};
  return names;
}
constexpr std::array<const char*, 10> kCommands{"config", "edit",  "plan",  "run",  "sandbox",
                                                "demo",   "smoke", "batch", "hold", "serve"};

bool lists_every_command(const std::string& help) {
  for (const char* c : kCommands) {
    if (help.find(std::string("\n  ") + c + " ") == std::string::npos) return false;
  }
  return true;
}

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_lists_every_command) {
  const auto r = run_child(UA_BINARY, {"--help"}, drop());
  BOOST_TEST(r.code == 0);
  const bool all = lists_every_command(r.out);
  BOOST_TEST(all, r.out);
}

BOOST_AUTO_TEST_CASE(a_command_s_help_shows_its_options) {
  const auto r = run_child(UA_BINARY, {"plan", "--help"}, drop());
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find("--offline") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("--image") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_verbose_flag_may_come_before_the_command) {
  const auto r = run_child(
      UA_BINARY,
      {"-v", "config", "check", "--config", std::string(UA_SHARED_DIR) + "/seed/upgrade-config.json"},
      drop());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find(": OK (") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(an_unknown_command_is_bad_input) {
  const auto r = run_child(UA_BINARY, {"pln", "--image", "nginx:1.27"}, drop());
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("subcommand is required") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_command_needs_its_own_options) {
  // Registered alone, plan still requires --image and rejects another command's option.
  const auto missing = run_child(UA_BINARY, {"plan"}, drop());
  BOOST_TEST(missing.code == 2);
  BOOST_TEST(missing.err.find("--image") != std::string::npos, missing.err);
  const auto foreign = run_child(UA_BINARY, {"plan", "--image", "nginx:1.27", "--listen", ":8080"}, drop());
  BOOST_TEST(foreign.code == 2);
  BOOST_TEST(foreign.err.find("--listen") != std::string::npos, foreign.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
