// `upgrade-agent plan` (network part) as a user runs it: the built binary, a
// generated sample repository, and the GitHub simulator on a thread of its own.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/github_sim.hpp"
#include "support/registry_sim.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

using ua::test::read_file;

using Ran = ua::test::ChildResult;

// The binary, with the agent's and GitHub's variables replaced by `env`.
Ran agent(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return ua::test::run_child(UA_BINARY, args, {"UPGRADE_AGENT_", "GITHUB_"}, env);
}

struct Fixture {
  fs::path repo;
  ua::test::GithubOnThread github;
  ua::test::RegistryOnThread registry{{"vaultwarden/server:1.35.7"}};

  Fixture() {
    std::random_device rd;
    repo = fs::temp_directory_path() / ("ua-plan-cli-" + std::to_string(rd()));
    ua::sandbox::generate_sample_repo(repo);
  }
  ~Fixture() { fs::remove_all(repo); }
  std::size_t requests() { return github.requests(); }
  std::vector<std::string> env() const { return {"GITHUB_API_URL=" + github.url(), registry.setting()}; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(plan_cli, Fixture)

BOOST_AUTO_TEST_CASE(json_plan_has_the_network_part_and_writes_nothing) {
  const auto before = read_file(repo / "stacks/vaultwarden/main.tf");
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
  BOOST_TEST(read_file(repo / "stacks/vaultwarden/main.tf") == before);
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
  BOOST_TEST(registry.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_target_tag_the_registry_lacks_is_refused_with_exit_5_before_github_is_asked) {
  auto r = agent({"plan", "--repo", repo.string(), "--image", "vaultwarden/server:9.9.9"}, env());
  BOOST_TEST(r.code == 5, r.out + r.err);
  BOOST_TEST(r.out.find("Registry: no tag 9.9.9 in docker.io/vaultwarden/server") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("+++ b/") == std::string::npos, r.out);  // no diff for an image that does not exist
  BOOST_TEST(requests() == 0U);
  auto j = agent({"plan", "--json", "--repo", repo.string(), "--image", "vaultwarden/server:9.9.9"}, env());
  BOOST_TEST(j.code == 5);
  const auto doc = json::parse(j.out).as_object();
  BOOST_TEST(doc.at("verdict").at("decision").as_string() == "refused");
  BOOST_TEST(doc.at("verdict").at("reason").as_string() == "no tag 9.9.9 in docker.io/vaultwarden/server");
  BOOST_TEST(doc.at("network").at("registry").at("target").as_string() == "missing");
}

BOOST_AUTO_TEST_CASE(an_unreachable_registry_is_said_and_the_plan_goes_on) {
  auto r = agent({"plan", "--repo", repo.string(), "--image", "vaultwarden/server:1.35.7"},
                 {"GITHUB_API_URL=" + github.url(), "UPGRADE_AGENT_REGISTRY_ENDPOINTS=*=http://127.0.0.1:1"});
  BOOST_TEST(r.code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("Registry: the tag's existence could not be checked (") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("  Flagged for manual review: the tag's existence could not be checked") != std::string::npos,
             r.out);  // in the commit message
}

BOOST_AUTO_TEST_CASE(a_pinned_reference_is_planned_with_the_new_tags_digest) {
  // The sample's made-up dns pin is not in the simulator: publish a repository where it is.
  const auto old_pin = ua::sandbox::registry::index_digest("technitium/dns-server", "13.2.1");
  const auto new_pin = ua::sandbox::registry::index_digest("technitium/dns-server", "13.3.0");
  const auto pinned = repo.string() + "-pinned";
  ua::sandbox::SampleRepoOptions options;
  options.dns_pin = old_pin;
  ua::sandbox::generate_sample_repo(pinned, options);
  const auto before = read_file(fs::path(pinned) / "stacks/dns/main.tf");
  auto r = agent({"plan", "--repo", pinned, "--image", "technitium/dns-server:13.3.0"}, env());
  BOOST_TEST(r.code == 0, r.out + r.err);
  BOOST_TEST(r.out.find("+          image = \"technitium/dns-server:13.3.0@" + new_pin + "\"") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("Pin " + old_pin + " -> " + new_pin + " (index of 13.3.0)") != std::string::npos, r.out);
  // Offline, the pin cannot move: refused, saying the registry was not asked.
  auto offline = agent({"plan", "--offline", "--repo", pinned, "--image", "technitium/dns-server:13.3.0"}, env());
  BOOST_TEST(offline.code == 5);
  BOOST_TEST(offline.out.find("the registry was not asked") != std::string::npos, offline.out);
  // edit asks the registry for the pin and writes tag and digest together.
  auto e = agent({"edit", "--repo", pinned, "--image", "technitium/dns-server:13.3.0"}, {registry.setting()});
  BOOST_TEST(e.code == 0, e.out + e.err);
  auto after = before;
  const auto at = after.find("13.2.1@" + old_pin);
  BOOST_REQUIRE(at != std::string::npos);
  after.replace(at, 7 + old_pin.size(), "13.3.0@" + new_pin);
  BOOST_TEST(read_file(fs::path(pinned) / "stacks/dns/main.tf") == after);
  fs::remove_all(pinned);
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
