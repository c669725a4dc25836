// The commands a user runs against the sandbox, through the built binary.
#include <boost/test/unit_test.hpp>

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
  const auto listed = run_child(UA_BINARY, {"sandbox", "--list-scenarios"}, kDrop);
  BOOST_TEST(listed.code == 0);
  BOOST_TEST(listed.out.find("ci-never\t") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
