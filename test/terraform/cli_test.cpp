// `upgrade-agent edit` and `plan` as a user runs them: the built binary on a
// generated sample repository, exit codes and the --json document.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>


#include <map>

#include "support/child_process.hpp"
#include "terraform/helpers.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

using Run = ua::test::ChildResult;

// A program run with the environment minus UPGRADE_AGENT_*; the registries
// it may ask (edit, for pinned references) are a closed port: never the network.
Run run(const std::string& program, const std::vector<std::string>& args) {
  return ua::test::run_child(program, args, {"UPGRADE_AGENT_"}, {"UPGRADE_AGENT_REGISTRY_ENDPOINTS=*=http://127.0.0.1:1"});
}

Run agent(const std::vector<std::string>& args) { return run(UA_BINARY, args); }

json::object parse(const Run& r) {
  BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
  json::value v = json::parse(r.out);  // one document, nothing else on stdout
  BOOST_REQUIRE(v.is_object());
  return v.as_object();
}

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), root).generic_string()] = ua::test::read_file(e.path());
  }
  return out;
}

struct Repo {
  ua::test::TempDir dir;
  std::string root;
  Repo() : root(dir.path().string()) { ua::sandbox::generate_sample_repo(dir.path()); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(edit_json_shape_and_exit_codes) {
  Repo repo;
  const auto r = agent({"edit", "--repo", repo.root, "--image", "vaultwarden/server:1.36.0", "--json"});
  BOOST_TEST(r.code == 0);
  const auto o = parse(r);
  BOOST_TEST(o.at("stack").as_string() == "vaultwarden");
  BOOST_TEST(o.at("service").as_string() == "vaultwarden");
  BOOST_TEST(o.at("namespace").as_string() == "vaultwarden");
  BOOST_TEST(o.at("pattern").as_string() == "B");
  BOOST_TEST(o.at("current").as_string() == "1.35.4");
  BOOST_TEST(o.at("target").as_string() == "1.36.0");
  const auto& edits = o.at("edits").as_array();
  BOOST_TEST_REQUIRE(edits.size() == 2U);
  for (const auto& e : edits) {
    const auto& x = e.as_object();
    BOOST_TEST(x.at("file").is_string());
    BOOST_TEST(x.at("line").as_int64() > 0);
    BOOST_TEST(std::string(x.at("before").as_string()).find("1.35.4") != std::string::npos);
    BOOST_TEST(std::string(x.at("after").as_string()).find("1.36.0") != std::string::npos);
  }
  BOOST_TEST(o.at("skipped").is_array());
  BOOST_TEST(o.at("references").as_array().size() == 2U);
  const auto main = ua::test::read_file(repo.dir.path() / "stacks/vaultwarden/main.tf");
  BOOST_TEST(main.find("image = \"vaultwarden/server:1.36.0\" # DIUN watches this tag") != std::string::npos);
  BOOST_TEST(main.find("# image = \"vaultwarden/server:1.30.0\"") != std::string::npos);
  // Again: already at the target.
  const auto again = agent({"edit", "--repo", repo.root, "--image", "vaultwarden/server", "--tag", "1.36.0", "--json"});
  BOOST_TEST(again.code == 4);
  BOOST_TEST(parse(again).at("edits").as_array().empty());
  // Not referenced under stacks/.
  const auto none = agent({"edit", "--repo", repo.root, "--image", "org/nothing:1.0.0", "--json"});
  BOOST_TEST(none.code == 3);
  BOOST_TEST(parse(none).at("stack").is_null());
}

BOOST_AUTO_TEST_CASE(bad_input_is_exit_2_and_changes_nothing) {
  Repo repo;
  const auto before = snapshot(repo.dir.path());
  const std::vector<std::vector<std::string>> cases = {
      {"--image", "Vaultwarden/Server:1.36.0"},
      {"--image", "vaultwarden/server:1.36.0;rm -rf /"},
      {"--image", "vaultwarden/server"},
      {"--image", "vaultwarden/server@sha256:" + std::string(64, 'a')},
      {"--image", "vaultwarden/server:1.36.0", "--tag", "1.37.0"},
      {"--image", "vaultwarden/server", "--tag", "$(reboot)"},
      {"--image", "ghcr.io/goauthentik/server:2026.2.3"},
      {"--image", "vaultwarden/server:1.36.0", "--config", repo.root + "/missing.json"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"edit", "--repo", repo.root, "--json"};
    args.insert(args.end(), c.begin(), c.end());
    const auto r = agent(args);
    BOOST_TEST_CONTEXT(c[1]) {
      BOOST_TEST(r.code == 2);
      BOOST_TEST(!r.err.empty());
    }
  }
  BOOST_TEST((snapshot(repo.dir.path()) == before));
  const auto not_a_repo = agent({"edit", "--repo", repo.root + "/stacks", "--image", "x:1"});
  BOOST_TEST(not_a_repo.code == 2);
  BOOST_TEST(not_a_repo.err.find("stacks") != std::string::npos);
  const auto usage = agent({"edit", "--repo", repo.root});
  BOOST_TEST(usage.code == 2);
}

BOOST_AUTO_TEST_CASE(policy_refusals_are_exit_5) {
  Repo repo;
  const auto before = snapshot(repo.dir.path());
  const std::vector<std::string> refused = {
      "docker.io/library/redis:7.5-alpine",                   // skip pattern
      "vaultwarden/server:1.0.0",                             // downgrade
      "ghcr.io/immich-app/immich-machine-learning:v2.8.0",    // variant change (-cuda)
      "technitium/dns-server:13.3.0",                         // digest pinned only
      "ealen/echo-server:0.9.2",                              // no tag in the repo
      "vaultwarden/server:latest",                            // :latest
  };
  for (const auto& image : refused) {
    BOOST_TEST_CONTEXT(image) {
      const auto p = agent({"plan", "--offline", "--repo", repo.root, "--image", image, "--json"});
      BOOST_TEST(p.code == 5);
      const auto o = parse(p);
      BOOST_TEST(o.at("verdict").as_object().at("decision").as_string() == "refused");
      BOOST_TEST(!o.at("verdict").as_object().at("reason").as_string().empty());
      const auto e = agent({"edit", "--repo", repo.root, "--image", image});
      BOOST_TEST(e.code == 5);
    }
  }
  BOOST_TEST((snapshot(repo.dir.path()) == before));
}

BOOST_AUTO_TEST_CASE(plan_writes_nothing_and_its_diff_is_what_edit_does) {
  Repo planned;
  Repo edited;
  const auto before = snapshot(planned.dir.path());
  const auto p = agent({"plan", "--offline", "--repo", planned.root, "--image",
                        "ghcr.io/immich-app/immich-server:v2.8.0", "--json"});
  BOOST_TEST(p.code == 0);
  const auto o = parse(p);
  BOOST_TEST((snapshot(planned.dir.path()) == before));
  BOOST_TEST(o.at("pattern").as_string() == "A");
  BOOST_TEST(o.at("offline").as_bool());
  BOOST_TEST(o.at("verdict").as_object().at("decision").as_string() == "proceed");
  const std::string diff(o.at("diff").as_string());
  BOOST_TEST(diff.find("-  default     = \"v2.7.4\"") != std::string::npos);
  BOOST_TEST(diff.find("+  default     = \"v2.8.0\"") != std::string::npos);

  // The diff applied with patch(1) gives what edit writes.
  const auto diff_file = planned.dir.path() / "plan.diff";
  ua::test::spit(diff_file, diff);
  const auto patched = run("/usr/bin/patch", {"-s", "-p1", "-d", planned.root, "-i", diff_file.string()});
  BOOST_TEST(patched.code == 0, patched.err);
  const auto e = agent({"edit", "--repo", edited.root, "--image", "ghcr.io/immich-app/immich-server:v2.8.0"});
  BOOST_TEST(e.code == 0);
  BOOST_TEST(ua::test::read_file(planned.dir.path() / "stacks/immich/variables.tf") ==
             ua::test::read_file(edited.dir.path() / "stacks/immich/variables.tf"));
  // The second image on the variable is now current.
  const auto ml = agent({"edit", "--repo", edited.root, "--image", "ghcr.io/immich-app/immich-machine-learning:v2.8.0-cuda"});
  BOOST_TEST(ml.code == 4);
}

BOOST_AUTO_TEST_CASE(plan_text_output_and_chart_versions) {
  Repo repo;
  const auto p = agent({"plan", "--offline", "--repo", repo.root, "--image", "traefik:v3.3.3"});
  BOOST_TEST(p.code == 0);
  BOOST_TEST(p.out.find("stacks/ingress/main.tf") != std::string::npos);
  BOOST_TEST(p.out.find("+      tag        = \"v3.3.3\"") != std::string::npos);
  const auto c = agent({"plan", "--offline", "--repo", repo.root, "--image", "ghcr.io/goauthentik/server:2026.2.3",
                        "--chart-version", "2026.2.3", "--json"});
  BOOST_TEST(c.code == 0);
  const auto o = parse(c);
  BOOST_TEST(o.at("pattern").as_string() == "C");
  BOOST_TEST(std::string(o.at("diff").as_string()).find("+  version    = \"2026.2.3\"") != std::string::npos);
  const auto e = agent({"edit", "--repo", repo.root, "--image", "ghcr.io/goauthentik/server:2026.2.3",
                        "--chart-version", "2026.2.3"});
  BOOST_TEST(e.code == 0);
  BOOST_TEST(ua::test::read_file(repo.dir.path() / "stacks/authentik/main.tf").find("version    = \"2026.2.3\"") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(odd_repository_paths_are_just_paths) {
  ua::test::TempDir dir;
  const auto root = dir.path() / "we ird $(touch pwned) `id`;";
  ua::sandbox::generate_sample_repo(root);
  const auto r = agent({"edit", "--repo", root.string(), "--image", "headscale/headscale:0.26.0"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(!fs::exists(dir.path() / "pwned"));
  BOOST_TEST(!fs::exists("pwned"));
  BOOST_TEST(ua::test::read_file(root / "stacks/headscale/terragrunt.hcl").find("\"0.26.0\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
