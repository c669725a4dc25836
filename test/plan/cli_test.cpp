// `upgrade-agent plan` (network part) as a user runs it: the built binary, a
// generated sample repository, and the GitHub simulator on a thread of its own.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support/child_process.hpp"
#include "support/github_sim.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

using Ran = ua::test::ChildResult;

// The binary, with the agent's and GitHub's variables replaced by `env`.
Ran agent(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return ua::test::run_child(UA_BINARY, args, {"UPGRADE_AGENT_", "GITHUB_"}, env);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  fs::path repo;
  ua::test::GithubOnThread github;

  Fixture() {
    std::random_device rd;
    repo = fs::temp_directory_path() / ("ua-plan-cli-" + std::to_string(rd()));
    ua::sandbox::generate_sample_repo(repo);
  }
  ~Fixture() { fs::remove_all(repo); }
  std::size_t requests() { return github.requests(); }
  std::vector<std::string> env() const { return {"GITHUB_API_URL=" + github.url()}; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(plan_cli, Fixture)

BOOST_AUTO_TEST_CASE(json_plan_has_the_network_part_and_writes_nothing) {
  const auto before = slurp(repo / "stacks/vaultwarden/main.tf");
  auto r = agent({"plan", "--json", "--repo", repo.string(), "--image", "vaultwarden/server:1.35.7"}, env());
  BOOST_TEST(r.code == 0, r.err);
  const auto doc = json::parse(r.out).as_object();
  BOOST_TEST(doc.at("offline").as_bool() == false);
  const auto& net = doc.at("network").as_object();
  BOOST_TEST(net.at("github").at("repo").as_string() == "dani-garcia/vaultwarden");
  BOOST_TEST(net.at("risk").at("level").as_string() == "SAFE");
  BOOST_TEST(net.at("changelog").at("releases").as_array().size() == 2U);
  const auto& steps = net.at("steps").as_array();
  BOOST_REQUIRE_EQUAL(steps.size(), 1U);
  BOOST_TEST(std::string_view(steps.at(0).at("commit_message").as_string()).rfind(
                 "upgrade: vaultwarden 1.35.4 -> 1.35.7\n\nChangelog summary: 1.35.7: Fix attachment download", 0) == 0U);
  BOOST_TEST(steps.at(0).at("slack_starting").as_string() ==
             "[Upgrade Agent] Starting: *vaultwarden* 1.35.4 -> 1.35.7 (risk: SAFE)");
  BOOST_TEST(slurp(repo / "stacks/vaultwarden/main.tf") == before);
  BOOST_TEST(requests() == 2U);  // the repository and one page of releases, nothing else
}

BOOST_AUTO_TEST_CASE(text_plan_for_a_caution_upgrade) {
  auto r = agent({"plan", "--repo", repo.string(), "--image", "ghcr.io/immich-app/immich-server:v2.8.0"}, env());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find("Risk: CAUTION") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("  v2.8.0 line 5 'renamed': - The `IMMICH_MACHINE_LEARNING_URL` setting was renamed") !=
             std::string::npos);
  BOOST_TEST(r.out.find("[Upgrade Agent] Starting: *immich* v2.7.4 -> v2.8.0 (risk: CAUTION)") != std::string::npos);
  BOOST_TEST(r.out.find("DB backup: Job pre-upgrade-immich-<unix time> from cronjob/postgresql-backup in namespace "
                        "immich") != std::string::npos);
  BOOST_TEST(r.out.find("  upgrade: immich v2.7.4 -> v2.8.0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(offline_plan_asks_nobody) {
  auto r = agent({"plan", "--offline", "--repo", repo.string(), "--image", "vaultwarden/server:1.35.7"}, env());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find("(offline: changelog, risk and backup not checked)") != std::string::npos);
  BOOST_TEST(requests() == 0U);
}

BOOST_AUTO_TEST_CASE(unreachable_github_is_unknown_and_the_plan_still_stands) {
  auto r = agent({"plan", "--json", "--repo", repo.string(), "--image", "vaultwarden/server:1.35.7"},
                 {"GITHUB_API_URL=http://127.0.0.1:1", "GITHUB_TOKEN=ghp_TOPSECRET"});
  BOOST_TEST(r.code == 0, r.err);
  const auto doc = json::parse(r.out).as_object();
  const auto& net = doc.at("network").as_object();
  BOOST_TEST(net.at("risk").at("level").as_string() == "UNKNOWN");
  BOOST_TEST(std::string_view(net.at("github").at("reason").as_string()).find("cannot connect") != std::string::npos);
  BOOST_TEST(net.at("changelog").at("releases").as_array().empty());
  BOOST_TEST(r.out.find("ghp_TOPSECRET") == std::string::npos);
  BOOST_TEST(r.err.find("ghp_TOPSECRET") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(refused_requests_do_not_reach_github) {
  auto r = agent({"plan", "--repo", repo.string(), "--image", "vaultwarden/server:1.30.0"}, env());  // a downgrade
  BOOST_TEST(r.code == 5, r.out + r.err);
  BOOST_TEST(requests() == 0U);
}

BOOST_AUTO_TEST_SUITE_END()
