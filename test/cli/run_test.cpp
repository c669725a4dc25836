// `run` refuses to start, naming each missing secret or URL (the seed's
// empty SLACK_WEBHOOK failed silently for days), and rejects a bad image
// before touching anything.
#include <boost/test/unit_test.hpp>

#include "support/child_process.hpp"

namespace ua::test {
namespace {

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG",
                                     "GIT_"};

BOOST_AUTO_TEST_SUITE(run_command)

BOOST_AUTO_TEST_CASE(missing_secrets_are_each_named_and_nothing_starts) {
  const auto r = run_child(UA_BINARY, {"run", "--image", "vaultwarden/server:1.35.5"}, kDrop);
  BOOST_TEST(r.code == 2);
  for (const char* name : {"SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "WOODPECKER_URL", "WOODPECKER_API_TOKEN",
                           "WOODPECKER_REPO"}) {
    BOOST_TEST(r.err.find(name) != std::string::npos, name);
  }
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(a_secret_value_is_never_printed) {
  const auto r = run_child(UA_BINARY, {"run", "--image", "vaultwarden/server:1.35.5"}, kDrop,
                           {"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/sekrit-value"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("sekrit-value") == std::string::npos);
  BOOST_TEST(r.err.find("GITHUB_TOKEN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_malformed_image_is_bad_input) {
  const auto r = run_child(UA_BINARY, {"run", "--image", "Bad Image;rm -rf /:1.0"}, kDrop,
                           {"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/x", "GITHUB_TOKEN=t",
                            "WOODPECKER_URL=http://127.0.0.1:9", "WOODPECKER_API_TOKEN=t", "WOODPECKER_REPO=o/r"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("image") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
