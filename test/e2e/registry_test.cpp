// The registry's part of a whole saga against the sandbox (its registry
// simulator serves the sample's images): a target that was never published
// is refused before anything happens, and a `tag@sha256:` pin moves with the
// new tag's index digest all the way to the pods.
#include "e2e/world.hpp"
#include "sandbox/registry/registry_simulator.hpp"
#include "support/child_process.hpp"

namespace ua::test {
namespace {

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(a_target_tag_the_registry_lacks_is_refused_and_nothing_is_pushed) {
  World world("healthy");
  const auto r = world.run_one("vaultwarden/server:1.99.0");
  BOOST_TEST(saga::to_string(r.outcome) == "refused");
  BOOST_TEST(saga::exit_code(r.outcome) == 5);
  BOOST_TEST(r.reason == "no tag 1.99.0 in docker.io/vaultwarden/server");
  BOOST_TEST(world.new_commits().empty());
  BOOST_TEST(world.sandbox().pipelines().empty());
  BOOST_TEST(world.slack().empty());
  BOOST_TEST(world.sandbox().backup_jobs().empty());
  BOOST_TEST(world.sandbox().deployed().at("vaultwarden/vaultwarden").front() == "vaultwarden/server:1.35.4");
}

BOOST_AUTO_TEST_CASE(an_unreachable_registry_does_not_stop_the_upgrade_and_is_said_in_the_commit_and_report) {
  World world("healthy");
  world.set("UPGRADE_AGENT_REGISTRY_ENDPOINTS", "*=http://127.0.0.1:1");  // nothing listens there
  const auto r = world.run_one("vaultwarden/server:1.35.5");
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded", r.reason);
  const auto commits = world.new_commits();
  BOOST_REQUIRE(!commits.empty());
  BOOST_TEST(contains(commits[0].body, "Flagged for manual review: the tag's existence could not be checked ("),
             commits[0].body);
  const auto slack = world.slack();
  BOOST_REQUIRE(!slack.empty());
  BOOST_TEST(contains(slack[0], "\nNote: the tag's existence could not be checked ("), slack[0]);
}

BOOST_AUTO_TEST_CASE(a_pinned_reference_moves_tag_and_digest_together_and_the_pods_run_the_pushed_digest) {
  World world("healthy");
  const std::string old_pin = sandbox::registry::index_digest("technitium/dns-server", "13.2.1");
  const std::string new_pin = sandbox::registry::index_digest("technitium/dns-server", "13.3.0");
  BOOST_TEST(world.sandbox().deployed().at("technitium/dns").front() == "technitium/dns-server:13.2.1@" + old_pin);

  const auto r = world.run_one("technitium/dns-server:13.3.0");
  BOOST_TEST(saga::to_string(r.outcome) == "upgraded", r.reason);
  const auto subjects = world.agent_subjects();
  BOOST_REQUIRE_EQUAL(subjects.size(), 1U);
  BOOST_TEST(subjects[0] == "upgrade: dns 13.2.1 -> 13.3.0");

  // The remote's commit changes exactly the tag and the digest, byte for byte.
  const auto sha = r.stops.at(0).commit;
  const auto diff = run_child("/usr/bin/git", {"--git-dir", world.sandbox().remote().string(), "show", "--format=",
                                               "--unified=0", sha},
                              {"GIT_"});
  BOOST_REQUIRE_EQUAL(diff.code, 0);
  BOOST_TEST(contains(diff.out, "-          image = \"technitium/dns-server:13.2.1@" + old_pin + "\""), diff.out);
  BOOST_TEST(contains(diff.out, "+          image = \"technitium/dns-server:13.3.0@" + new_pin + "\""), diff.out);
  BOOST_TEST(!contains(diff.out, "mvance/unbound"));  // the bare digest is never edited

  // CI applied the pin; verification saw the pods' imageID carry the pushed digest.
  BOOST_TEST(world.sandbox().deployed().at("technitium/dns").front() == "technitium/dns-server:13.3.0@" + new_pin);
  BOOST_TEST(starts_with(world.slack().back(), "[Upgrade Agent] SUCCESS: *dns*"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
