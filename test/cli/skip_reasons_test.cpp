// What `plan` (and `edit`) say about references they will not move, as a user
// runs them on the sample repository: a version Terraform does not own
// (lifecycle.ignore_changes), one written at another precision, ':latest', no
// tag at all, a digest pin; each named with its file, line and reason, in the
// text and in the JSON's `skipped` (rule, category), with the exit code.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace ua::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct SampleRepo {
  ScratchDir dir{"ua-cli-skips-"};
  fs::path repo = dir.path() / "repo";
  SampleRepo() { sandbox::generate_sample_repo(repo); }

  [[nodiscard]] ChildResult plan(const std::string& image, bool as_json = false) const {
    std::vector<std::string> args{"plan", "--offline", "--repo", repo.string(), "--image", image};
    if (as_json) args.emplace_back("--json");
    return run_child(UA_BINARY, args, {"UPGRADE_AGENT_", "GITHUB_"}, {});
  }
  [[nodiscard]] ChildResult edit(const std::string& image) const {
    return run_child(UA_BINARY, {"edit", "--repo", repo.string(), "--image", image}, {"UPGRADE_AGENT_", "GITHUB_"},
                     {});
  }
};

json::object parsed(const ChildResult& r) {
  BOOST_TEST_INFO("stdout: " << r.out << "\nstderr: " << r.err);
  const json::value v = json::parse(r.out);
  BOOST_REQUIRE(v.is_object());
  return v.as_object();
}

// The `skipped` entry for `file`, which must be there.
json::object skipped_at(const json::object& plan, const std::string& file) {
  for (const auto& s : plan.at("skipped").as_array()) {
    if (s.as_object().at("file").as_string() == file) return s.as_object();
  }
  BOOST_FAIL("nothing skipped in " + file);
  return {};
}

const std::string kIgnored =
    "not owned by Terraform: kubernetes_deployment \"app\" container[0] \"app\" is in lifecycle.ignore_changes "
    "(stacks/keel/main.tf:33: `spec[0].template[0].spec[0].container[0].image, # KEEL_IGNORE_IMAGE`)";

BOOST_AUTO_TEST_SUITE(plan_skip_reasons)

BOOST_AUTO_TEST_CASE(an_image_terraform_does_not_own_is_refused_with_the_resource_container_and_line) {
  SampleRepo s;
  const auto text = s.plan("ghcr.io/example/keel-app:v0.1.20");
  BOOST_TEST(text.code == 5, text.err);
  BOOST_TEST(contains(text.out, "  skipped stacks/keel/main.tf:21  ghcr.io/example/keel-app:v0.1.19: " + kIgnored));
  BOOST_TEST(contains(text.out, "no reference can be edited: " + kIgnored));
  // Two tools manage one workload: said too.
  BOOST_TEST(contains(text.out, "  note    stacks/keel/main.tf:7  kubernetes_deployment \"app\" carries keel.sh/policy"));
  BOOST_TEST(contains(text.out, "Keel also manages this workload's image"));

  const auto o = parsed(s.plan("ghcr.io/example/keel-app:v0.1.20", true));
  BOOST_TEST(o.at("exit_code").as_int64() == 5);
  BOOST_TEST(o.at("edits").as_array().empty());
  BOOST_TEST(o.at("stack").as_string() == "keel");
  const auto skip = skipped_at(o, "stacks/keel/main.tf");
  BOOST_TEST(skip.at("line").as_int64() == 21);
  BOOST_TEST(skip.at("category").as_string() == "ignore_changes");
  BOOST_TEST(skip.at("rule").as_string() == "none");
  BOOST_TEST(std::string(skip.at("reason").as_string()).rfind(kIgnored, 0) == 0U);
  BOOST_TEST(o.at("verdict").as_object().at("decision").as_string() == "refused");
  BOOST_TEST(o.at("notes").as_array().size() == 1U);

  // edit refuses the same way and changes nothing.
  const auto before = read_file(s.repo / "stacks/keel/main.tf");
  const auto e = s.edit("ghcr.io/example/keel-app:v0.1.20");
  BOOST_TEST(e.code == 5);
  BOOST_TEST(read_file(s.repo / "stacks/keel/main.tf") == before);
}

BOOST_AUTO_TEST_CASE(the_container_next_to_an_ignored_one_still_moves) {
  SampleRepo s;
  const auto o = parsed(s.plan("docker.io/curlimages/curl:8.12.0", true));
  BOOST_TEST(o.at("exit_code").as_int64() == 0);
  BOOST_TEST(o.at("skipped").as_array().empty());
  const auto& edits = o.at("edits").as_array();
  BOOST_REQUIRE_EQUAL(edits.size(), 1U);
  BOOST_TEST(edits[0].as_object().at("line").as_int64() == 25);
  BOOST_TEST(o.at("notes").as_array().size() == 1U);  // still two tools on one workload
  const auto e = s.edit("docker.io/curlimages/curl:8.12.0");
  BOOST_TEST(e.code == 0, e.err);
  const auto after = read_file(s.repo / "stacks/keel/main.tf");
  BOOST_TEST(contains(after, "image = \"docker.io/curlimages/curl:8.12.0\""));
  BOOST_TEST(contains(after, "image = \"ghcr.io/example/keel-app:v0.1.19\""));  // Keel's, untouched
}

BOOST_AUTO_TEST_CASE(a_reference_at_another_precision_is_skipped_and_latest_with_it) {
  SampleRepo s;
  const auto floating = s.plan("busybox:1.38");
  BOOST_TEST(floating.code == 0, floating.err);
  BOOST_TEST(contains(floating.out, "  edit    stacks/debug/main.tf:2  1.37 -> 1.38  (locals)"));
  BOOST_TEST(contains(floating.out, "  skipped stacks/debug/init.tf:2  busybox:1.37.0: written with 3 release numbers "
                                    "('1.37.0') while the request '1.38' has 2"));
  BOOST_TEST(contains(floating.out,
                      "  skipped stacks/echo/main.tf:17  busybox:latest: tagged ':latest': never upgraded (pin a version "
                      "first)"));
  BOOST_TEST(contains(floating.out, "+  debug_image = \"busybox:1.38\""));
  BOOST_TEST(!contains(floating.out, "+  init_image"));

  const auto o = parsed(s.plan("busybox:1.38", true));
  const auto precision = skipped_at(o, "stacks/debug/init.tf");
  BOOST_TEST(precision.at("category").as_string() == "precision");
  BOOST_TEST(precision.at("written").as_string() == "busybox:1.37.0");
  const auto latest = skipped_at(o, "stacks/echo/main.tf");
  BOOST_TEST(latest.at("rule").as_string() == "latest_tag");
  BOOST_TEST(!latest.contains("category"));

  // The pinned one moves when the request is pinned, and the floating one waits.
  const auto pinned = parsed(s.plan("busybox:1.38.0", true));
  BOOST_TEST(pinned.at("exit_code").as_int64() == 0);
  const auto& edits = pinned.at("edits").as_array();
  BOOST_REQUIRE_EQUAL(edits.size(), 1U);
  BOOST_TEST(edits[0].as_object().at("file").as_string() == "stacks/debug/init.tf");
  BOOST_TEST(skipped_at(pinned, "stacks/debug/main.tf").at("category").as_string() == "precision");
}

BOOST_AUTO_TEST_CASE(no_tag_and_a_digest_pin_are_refused_with_their_rules) {
  SampleRepo s;
  const auto untagged = s.plan("ealen/echo-server:0.9.2");
  BOOST_TEST(untagged.code == 5);
  BOOST_TEST(contains(untagged.out,
                      "  skipped stacks/echo/main.tf:22  ealen/echo-server: no tag (means latest): a tag is never added "
                      "silently"));
  BOOST_TEST(skipped_at(parsed(s.plan("ealen/echo-server:0.9.2", true)), "stacks/echo/main.tf").at("rule").as_string() ==
             "missing_tag");

  const auto digest = parsed(s.plan("technitium/dns-server:13.3.0", true));
  BOOST_TEST(digest.at("exit_code").as_int64() == 5);
  const auto pin = skipped_at(digest, "stacks/dns/main.tf");
  BOOST_TEST(pin.at("rule").as_string() == "digest_pinned");
  BOOST_TEST(contains(std::string(pin.at("reason").as_string()), "pinned by digest"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
