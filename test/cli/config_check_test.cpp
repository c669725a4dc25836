// `config check`: problems are diagnostics on stderr, the OK summary is on
// stdout, and --json prints one document on stdout.
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace ua::test {
namespace {

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_", "WOODPECKER_", "SLACK_", "UPTIME_KUMA_", "KUBECONFIG"};
const std::string kSeed = std::string(UA_SHARED_DIR) + "/seed/upgrade-config.json";

BOOST_AUTO_TEST_SUITE(config_check)

BOOST_AUTO_TEST_CASE(the_seed_file_is_ok_on_stdout_and_missing_secrets_warn_on_stderr) {
  const auto r = run_child(UA_BINARY, {"config", "check", "--config", kSeed}, kDrop);
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find(": OK (") != std::string::npos);
  BOOST_TEST(r.out.find("warning") == std::string::npos);
  BOOST_TEST(r.err.find("warning: SLACK_WEBHOOK_URL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_broken_file_says_why_on_stderr_and_nothing_on_stdout) {
  ScratchDir dir;
  const auto file = dir.path() / "upgrade-config.json";
  std::ofstream(file) << R"({"db_backed_services": {"immich": {"type": 3}}})";
  const auto r = run_child(UA_BINARY, {"config", "check", "--config", file.string()}, kDrop);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err.find("error: ") != std::string::npos);
  BOOST_TEST(r.err.find("db_backed_services.immich") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_prints_the_problems_as_one_document) {
  ScratchDir dir;
  const auto file = dir.path() / "upgrade-config.json";
  std::ofstream(file) << R"({"db_backed_services": {"immich": {"type": 3}}})";
  const auto r = run_child(UA_BINARY, {"config", "check", "--json", "--config", file.string()}, kDrop);
  BOOST_TEST(r.code == 2);
  const auto doc = boost::json::parse(r.out).as_object();
  BOOST_TEST(doc.at("ok").as_bool() == false);
  bool named = false;
  for (const auto& p : doc.at("problems").as_array()) {
    const auto& o = p.as_object();
    if (o.at("severity").as_string() == "error" &&
        std::string(o.at("where").as_string()).find("db_backed_services.immich") != std::string::npos) {
      named = true;
    }
  }
  BOOST_TEST(named);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
