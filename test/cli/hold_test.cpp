// `hold list` and `hold release IMAGE:TAG` against a journal the test writes
// through the store, in UPGRADE_AGENT_STATE_DIR.
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/store/journal.hpp"

namespace ua::test {
namespace {

const std::vector<std::string> kDrop{"UPGRADE_AGENT_", "GITHUB_",      "WOODPECKER_",
                                     "SLACK_",         "UPTIME_KUMA_", "KUBECONFIG"};

// 2026-12-02T12:00:00Z
const store::TimePoint kHeldAt{std::chrono::seconds(1796212800)};

struct StateDir {
  ScratchDir dir{"ua-hold-"};
  std::string env() const { return "UPGRADE_AGENT_STATE_DIR=" + (dir.path() / "state").string(); }
  std::filesystem::path journal_file() const { return store::journal_path(dir.path() / "state"); }

  void hold(const std::string& image, const std::string& tag, const std::string& reason) const {
    auto j = store::Journal::open(journal_file());
    BOOST_REQUIRE(j.has_value());
    BOOST_REQUIRE(j->hold({{image, tag}, kHeldAt, reason, std::nullopt}).has_value());
  }
  ChildResult run(const std::vector<std::string>& args) const {
    return run_child(UA_BINARY, args, kDrop, {env()});
  }
};

BOOST_AUTO_TEST_SUITE(hold)

BOOST_AUTO_TEST_CASE(list_shows_each_held_target_as_people_write_it) {
  StateDir state;
  state.hold("docker.io/vaultwarden/server", "1.36.0", "verification failed: HTTP 502 from vault.example");
  state.hold("ghcr.io/immich-app/immich-server", "v2.8.0", "CI workflow default ended failure");
  const auto r = state.run({"hold", "list"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out ==
             "vaultwarden/server:1.36.0  held since 2026-12-02T12:00:00Z: verification failed: HTTP 502 from "
             "vault.example\n"
             "ghcr.io/immich-app/immich-server:v2.8.0  held since 2026-12-02T12:00:00Z: CI workflow default "
             "ended failure\n");

  const auto j = state.run({"hold", "list", "--json"});
  BOOST_TEST(j.code == 0);
  const auto doc = boost::json::parse(j.out).as_object();
  const auto& holds = doc.at("holds").as_array();
  BOOST_REQUIRE(holds.size() == 2U);
  BOOST_TEST(holds[0].at("image").as_string() == "docker.io/vaultwarden/server");
  BOOST_TEST(holds[0].at("tag").as_string() == "1.36.0");
  BOOST_TEST(holds[0].at("held_at").as_string() == "2026-12-02T12:00:00Z");
}

BOOST_AUTO_TEST_CASE(an_empty_journal_says_nothing_is_held) {
  StateDir state;
  { BOOST_REQUIRE(store::Journal::open(state.journal_file()).has_value()); }
  const auto r = state.run({"hold", "list"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out == "nothing is held\n");
}

BOOST_AUTO_TEST_CASE(release_lifts_exactly_that_target_in_any_spelling_of_the_image) {
  StateDir state;
  state.hold("docker.io/vaultwarden/server", "1.36.0", "pods in CrashLoopBackOff");
  state.hold("docker.io/vaultwarden/server", "1.35.0", "older failure");
  const auto r = state.run({"hold", "release", "docker.io/vaultwarden/server:1.36.0"});
  BOOST_TEST(r.code == 0);
  BOOST_TEST(
      r.out ==
      "released vaultwarden/server:1.36.0 (held since 2026-12-02T12:00:00Z: pods in CrashLoopBackOff)\n");
  auto j = store::Journal::open(state.journal_file());
  auto left = j->holds();
  BOOST_REQUIRE(left->size() == 1U);
  BOOST_TEST(left->front().target.tag == "1.35.0");
  // Released means a request for it is run again.
  BOOST_TEST((j->admit({{"docker.io/vaultwarden/server", "1.36.0"}, "", "cli", {}}, kHeldAt)->verdict ==
              store::Admission::Verdict::accepted));
}

BOOST_AUTO_TEST_CASE(releasing_what_is_not_held_names_what_is_and_changes_nothing) {
  StateDir state;
  state.hold("docker.io/library/redis", "8.0.0", "rolled back");
  const auto r = state.run({"hold", "release", "redis:8.0.1"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err.find("redis:8.0.1 is not held (held: redis:8.0.0)") != std::string::npos);
  auto j = store::Journal::open(state.journal_file());
  BOOST_TEST(j->holds()->size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_bad_target_is_refused_before_the_journal_is_read) {
  StateDir state;  // no journal at all: the target is checked first
  const std::vector<std::string> bad_targets{"Bad Image:1.0", "redis",
                                             "redis:1.0@sha256:" + std::string(64, 'a'), "redis:bad tag"};
  for (const auto& bad : bad_targets) {
    const auto r = state.run({"hold", "release", bad});
    BOOST_TEST(r.code == 2, bad);
    BOOST_TEST(r.err.find("invalid IMAGE:TAG '" + bad + "'") != std::string::npos, r.err);
  }
}

BOOST_AUTO_TEST_CASE(an_absent_journal_is_named_and_not_created) {
  StateDir state;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"hold", "list"}, {"hold", "release", "redis:8.0.0"}}) {
    const auto r = state.run(args);
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("no journal at " + state.journal_file().string()) != std::string::npos, r.err);
  }
  BOOST_TEST(!std::filesystem::exists(state.journal_file().parent_path()));
}

BOOST_AUTO_TEST_CASE(a_damaged_journal_fails_naming_the_file) {
  StateDir state;
  std::filesystem::create_directories(state.journal_file().parent_path());
  { std::ofstream(state.journal_file()) << std::string(4096, 'x'); }
  const auto r = state.run({"hold", "list"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err.find(state.journal_file().string()) != std::string::npos, r.err);
  BOOST_TEST(r.err.find("damaged") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
