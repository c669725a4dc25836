#include <boost/test/unit_test.hpp>

#include "upgrade_agent/core/risk.hpp"

#include <ostream>

namespace ua::core {
inline std::ostream& operator<<(std::ostream& os, Risk r) { return os << to_string(r); }
}  // namespace ua::core

using namespace ua::core;

namespace {

const std::vector<std::string> kSeedKeywords = {
    "breaking", "BREAKING",  "migration required", "schema change", "database migration", "manual intervention",
    "action required", "removed", "deprecated", "renamed", "incompatible"};

Tag tag(std::string_view t) { return parse_tag(t).value(); }

ReleaseNote note(std::string tag_name, std::string body, std::string name = {}) {
  ReleaseNote r;
  r.version = release_version(tag_name);
  r.tag = std::move(tag_name);
  r.name = std::move(name);
  r.body = std::move(body);
  return r;
}

RiskInput input(std::string current, std::string target, std::vector<ReleaseNote> releases) {
  RiskInput in;
  in.stack = "coturn";
  in.current = tag(current);
  in.target = tag(target);
  in.keywords = kSeedKeywords;
  in.changelog = Changelog{std::move(releases), "GitHub releases of coturn/coturn"};
  return in;
}

std::vector<std::string> stop_tags(const RiskAssessment& a) {
  std::vector<std::string> out;
  for (const auto& s : a.stops) out.push_back(s.image_tag);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(risk_keywords)

BOOST_AUTO_TEST_CASE(whole_words_any_case) {
  auto hits = find_keywords("BREAKING CHANGE: config moved\nunbreaking news\nRemoved the foo option\n"
                            "a deprecation notice\nMigration   Required for v2\nmigration\nrequired\n"
                            "breaking-change label\nthe_breaking_flag",
                            kSeedKeywords);
  BOOST_REQUIRE_EQUAL(hits.size(), 4U);
  BOOST_TEST(hits[0].keyword == "breaking");
  BOOST_TEST(hits[0].line_number == 1U);
  BOOST_TEST(hits[0].line == "BREAKING CHANGE: config moved");
  BOOST_TEST(hits[1].keyword == "removed");
  BOOST_TEST(hits[1].line_number == 3U);
  BOOST_TEST(hits[2].keyword == "migration required");
  BOOST_TEST(hits[2].line_number == 5U);
  BOOST_TEST(hits[3].line_number == 8U);  // '-' separates words
}

BOOST_AUTO_TEST_CASE(keywords_differing_in_case_count_once) {
  auto hits = find_keywords("Breaking: everything", {"breaking", "BREAKING", "Breaking"});
  BOOST_TEST(hits.size() == 1U);
}

BOOST_AUTO_TEST_CASE(fenced_code_does_not_count) {
  const std::string body =
      "Upgrade notes\n"
      "```yaml\n"
      "# removed: old_key\n"
      "```\n"
      "~~~~\n"
      "deprecated: true\n"
      "~~~\n"        // too short to close a 4-tilde fence
      "renamed: x\n"
      "~~~~~\n"
      "  ```\n"
      "incompatible inside an indented fence\n"
      "  ```\n"
      "Finally removed the flag\n";
  auto hits = find_keywords(body, kSeedKeywords);
  BOOST_REQUIRE_EQUAL(hits.size(), 1U);
  BOOST_TEST(hits[0].line == "Finally removed the flag");
  BOOST_TEST(hits[0].line_number == 13U);
  // An unclosed fence hides the rest, as Markdown renders it.
  BOOST_TEST(find_keywords("```\nremoved\n", kSeedKeywords).empty());
}

BOOST_AUTO_TEST_CASE(dependency_noise_lines) {
  const char* noise[] = {
      "* Bump golang.org/x/net from 0.17.0 to 0.23.0 by @dependabot in https://github.com/a/b/pull/1",
      "- Bump x from 1 to 2 (removed deprecated API)",
      "chore(deps): update dependency eslint to v9",
      "build(deps-dev): bump vite from 4.5.0 to 5.0.0",
      "fix(deps): update module github.com/spf13/cobra to v1.8.0",
      "- Update dependency @types/node to v20.11.5",
      "Update actions/checkout action to v4",
      "Update golang Docker tag to v1.22",
      "Update rust crate serde to 1.0.200",
      "Lock file maintenance",
      "⬆️ Bump axios from 0.21 to 1.6",
      ":arrow_up: chore(deps): renamed package",
      "deps: removed unused module",
      "* Removed stale config (#123) by @renovate[bot]",
      "- [x] Update dependency react to v18 (BREAKING)",
  };
  for (const char* line : noise) BOOST_TEST(is_dependency_noise(line), line);
  const char* real[] = {
      "Removed support for PostgreSQL 12",
      "Bump minimum Go version",
      "Update the config: `foo` was renamed to `bar`",
      "Updated dependency handling is incompatible with old plugins",
      "feat(api)!: removed the v1 endpoints",
      "chore: the deprecated flag is gone",
  };
  for (const char* line : real) BOOST_TEST(!is_dependency_noise(line), line);
  auto hits = find_keywords("- Bump x from 1 to 2 (removed API)\n- chore(deps): breaking update of y\n", kSeedKeywords);
  BOOST_TEST(hits.empty());
}

BOOST_AUTO_TEST_CASE(long_lines_are_clipped_for_evidence) {
  const std::string line = "removed " + std::string(400, 'x');
  auto hits = find_keywords(line, kSeedKeywords);
  BOOST_REQUIRE_EQUAL(hits.size(), 1U);
  BOOST_TEST(hits[0].line.size() < 250U);
  BOOST_TEST(hits[0].line.substr(hits[0].line.size() - 3) == "…");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(risk_assessment)

BOOST_AUTO_TEST_CASE(minor_bump_without_keywords_is_safe) {
  auto a = assess_risk(input("4.6.3", "4.6.5", {note("4.6.4", "Bug fixes."), note("4.6.5", "- Bump x from 1 to 2 (breaking)")}));
  BOOST_TEST(a.risk == Risk::safe);
  BOOST_TEST(a.evidence.empty());
  BOOST_TEST(a.changelog_available);
  BOOST_TEST(a.changelog_note == "2 releases from GitHub releases of coturn/coturn");
  BOOST_REQUIRE_EQUAL(a.stops.size(), 1U);
  BOOST_TEST(a.stops[0].image_tag == "4.6.5");
  BOOST_TEST(a.stops[0].release == "4.6.5");
  BOOST_TEST(a.reasons.back().find("no breaking-change keyword") != std::string::npos);
  BOOST_TEST(to_string(a.risk) == "SAFE");
}

BOOST_AUTO_TEST_CASE(keyword_in_an_intermediate_release_is_caution_with_evidence) {
  // The contract's coturn releases: 4.7.0 removed options.
  auto in = input("4.6.3-r1", "4.10.0-r1",
                  {note("4.7.0", "## Changes\n- Removed `keep-address-family` option\n- Removed `response-origin-only-with-rfc5780`"),
                   note("4.10.0", "## Security\n- Fix CVE-2026-40613 in STUN attribute parsing")});
  auto a = assess_risk(in);
  BOOST_TEST(a.risk == Risk::caution);
  BOOST_REQUIRE_EQUAL(a.evidence.size(), 2U);
  BOOST_TEST(a.evidence[0].release == "4.7.0");
  BOOST_TEST(a.evidence[0].keyword == "removed");
  BOOST_TEST(a.evidence[0].line == "- Removed `keep-address-family` option");
  BOOST_TEST(a.evidence[0].line_number == 2U);
  BOOST_TEST(a.evidence[1].line_number == 3U);
  BOOST_TEST(a.reasons.front() == "breaking-change keywords in 1 release: 4.7.0");
  BOOST_TEST(stop_tags(a) == (std::vector<std::string>{"4.7.0", "4.10.0-r1"}), boost::test_tools::per_element());
  BOOST_TEST(a.stops[0].why.front().find("'removed'") != std::string::npos);
  BOOST_TEST(a.stops[1].release == "4.10.0");
}

BOOST_AUTO_TEST_CASE(major_bump_is_caution_and_stops_at_each_new_major) {
  auto a = assess_risk(input("v1.9.0", "v3.1.0",
                             {note("v1.10.0", "fixes"), note("v2.0.0", "big release"), note("v2.1.0", "more"),
                              note("v3.0.0", "again"), note("v3.1.0", "last")}));
  BOOST_TEST(a.risk == Risk::caution);
  BOOST_TEST(a.reasons.front() == "major version bump: v1.9.0 -> v3.1.0");
  BOOST_TEST(stop_tags(a) == (std::vector<std::string>{"v2.0.0", "v3.0.0", "v3.1.0"}), boost::test_tools::per_element());
  BOOST_TEST(a.stops[0].why.front() == "opens major version 2");
  BOOST_REQUIRE_EQUAL(a.evidence.size(), 2U);
  BOOST_TEST((a.evidence[0].kind == Evidence::Kind::new_major));
}

BOOST_AUTO_TEST_CASE(always_step_stack_is_caution) {
  auto in = input("v2.7.4", "v2.8.1", {note("v2.8.0", "features"), note("v2.8.1", "fixes")});
  in.stack = "immich";
  in.always_step = true;
  auto a = assess_risk(in);
  BOOST_TEST(a.risk == Risk::caution);
  BOOST_TEST(a.reasons.front() == "stack immich is in version_jump_always_step");
  BOOST_TEST(stop_tags(a) == (std::vector<std::string>{"v2.8.1"}), boost::test_tools::per_element());
  in.step_mode = StepMode::each;
  auto each = assess_risk(in);
  BOOST_TEST(stop_tags(each) == (std::vector<std::string>{"v2.8.0", "v2.8.1"}), boost::test_tools::per_element());
  BOOST_TEST(each.stops[0].why.front() == "step_mode each");
}

BOOST_AUTO_TEST_CASE(step_mode_each_does_not_step_safe_upgrades) {
  auto in = input("1.0.0", "1.0.3", {note("1.0.1", "x"), note("1.0.2", "y"), note("1.0.3", "z")});
  in.step_mode = StepMode::each;
  auto a = assess_risk(in);
  BOOST_TEST(a.risk == Risk::safe);
  BOOST_TEST(a.stops.size() == 1U);
}

BOOST_AUTO_TEST_CASE(no_changelog_is_unknown_and_invents_nothing) {
  auto in = input("1.2.0", "1.3.0", {});
  in.changelog.reset();
  in.changelog_missing_reason = "no GitHub repository found for example/app (tried example/app: 404)";
  auto a = assess_risk(in);
  BOOST_TEST(a.risk == Risk::unknown);
  BOOST_TEST(!a.changelog_available);
  BOOST_TEST(a.evidence.empty());
  BOOST_TEST(a.changelog_note == "no changelog: " + in.changelog_missing_reason);
  BOOST_TEST(a.reasons.back() == a.changelog_note);
  BOOST_REQUIRE_EQUAL(a.stops.size(), 1U);
  BOOST_TEST(a.stops[0].release.empty());  // no release is claimed
  BOOST_TEST(a.stops[0].image_tag == "1.3.0");
  BOOST_TEST(to_string(a.risk) == "UNKNOWN");
}

BOOST_AUTO_TEST_CASE(empty_changelog_is_unknown) {
  auto a = assess_risk(input("1.2.0", "1.3.0", {}));
  BOOST_TEST(a.risk == Risk::unknown);
  BOOST_TEST(a.changelog_note.find("has no release after 1.2.0 up to 1.3.0") != std::string::npos, a.changelog_note);
}

BOOST_AUTO_TEST_CASE(major_bump_without_changelog_is_still_caution) {
  auto in = input("1.2.0", "2.0.0", {});
  in.changelog.reset();
  in.changelog_missing_reason = "GitHub rate limit";
  auto a = assess_risk(in);
  BOOST_TEST(a.risk == Risk::caution);
  BOOST_REQUIRE_EQUAL(a.reasons.size(), 2U);
  BOOST_TEST(a.reasons[0] == "major version bump: 1.2.0 -> 2.0.0");
  BOOST_TEST(a.reasons[1] == "no changelog: GitHub rate limit");
  BOOST_TEST(a.stops.size() == 1U);  // intermediate majors are unknown: nothing is guessed
}

BOOST_AUTO_TEST_CASE(stops_are_spelled_like_the_target_tag) {
  auto in = input("v1.5.0-alpine", "v2.1.0-alpine", {note("2.0.0", "Initial 2.x"), note("2.1.0", "x")});
  auto a = assess_risk(in);
  BOOST_TEST(stop_tags(a) == (std::vector<std::string>{"v2.0.0-alpine", "v2.1.0-alpine"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keyword_in_a_release_title_counts) {
  auto a = assess_risk(input("1.0.0", "1.1.0", {note("v1.1.0", "Nothing here.", "v1.1.0 – Breaking release")}));
  BOOST_TEST(a.risk == Risk::caution);
  BOOST_REQUIRE_EQUAL(a.evidence.size(), 1U);
  BOOST_TEST(a.evidence[0].line_number == 0U);
  BOOST_TEST(a.evidence[0].line == "v1.1.0 – Breaking release");
  BOOST_TEST(a.stops.size() == 1U);  // the breaking release is the target itself
  BOOST_TEST(a.stops[0].why.size() == 2U);
}

BOOST_AUTO_TEST_CASE(release_versions_normalise_names) {
  BOOST_TEST(release_version("v2.8.0").release_text == "2.8.0");
  BOOST_TEST(release_version("n8n@1.2.3").release_text == "1.2.3");
  BOOST_TEST(!release_version("nightly").is_version());
  BOOST_TEST(same_version(release_version("v1.2.3"), bare_version(tag("1.2.3-alpine"))));
  BOOST_TEST(same_release(release_version("4.10.0"), tag("4.10.0-r1")));
  BOOST_TEST(same_release(release_version("v2.0.0"), tag("2.0-alpine")));
  BOOST_TEST(!same_release(release_version("4.10.0-r2"), tag("4.10.0-r1")));
  BOOST_TEST(!same_release(release_version("4.10.0-rc1"), tag("4.10.0")));
  BOOST_TEST(!same_release(release_version("4.10.1"), tag("4.10.0")));
}

BOOST_AUTO_TEST_SUITE_END()
