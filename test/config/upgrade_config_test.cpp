#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "upgrade_agent/config/upgrade_config.hpp"

using ua::config::Problem;

namespace {

bool has_problem(const std::vector<Problem>& problems, Problem::Severity severity, const std::string& where,
                 const std::string& says) {
  return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) {
    return p.severity == severity && p.where.find(where) != std::string::npos &&
           p.message.find(says) != std::string::npos;
  });
}

std::string dump(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.where + ": " + p.message + "\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(upgrade_config)

BOOST_AUTO_TEST_CASE(loads_the_real_seed_file_as_is) {
  const auto load = ua::config::load_upgrade_config(UA_SHARED_DIR "/seed/upgrade-config.json");
  BOOST_TEST_REQUIRE(load.config.has_value(), dump(load.problems));
  BOOST_TEST(load.problems.empty(), dump(load.problems));
  const auto& c = *load.config;
  BOOST_TEST(c.github_repo_overrides.size() == 50u);
  BOOST_TEST(c.helm_chart_repo_overrides.size() == 22u);
  BOOST_TEST(c.db_backed_services.size() == 27u);
  BOOST_TEST(c.skip_image_patterns.size() == 14u);
  BOOST_TEST(c.breaking_change_keywords.size() == 11u);
  BOOST_TEST(c.always_step("immich"));
  BOOST_TEST(!c.always_step("vaultwarden"));

  const auto* immich = c.db_backed("immich");
  BOOST_TEST_REQUIRE(immich != nullptr);
  BOOST_TEST(immich->dedicated);
  BOOST_TEST(immich->backup_cronjob.value_or("") == "postgresql-backup");
  BOOST_TEST(c.db_backed("vaultwarden") == nullptr);
  BOOST_TEST(c.backup_infrastructure.at("mysql").namespace_name == "dbaas");

  // Overrides are found however the image is written.
  BOOST_TEST(c.github_repo_override(*ua::core::parse_image_ref("docker.io/vaultwarden/server:1.35.4")).value_or("") ==
             "dani-garcia/vaultwarden");
  BOOST_TEST(c.github_repo_override(*ua::core::parse_image_ref("matrixdotorg/synapse")).value_or("") ==
             "element-hq/synapse");
  BOOST_TEST(!c.github_repo_override(*ua::core::parse_image_ref("ghcr.io/unknown/thing")).has_value());
  BOOST_TEST(c.helm_chart_repo("https://charts.goauthentik.io").value_or("") == "goauthentik/authentik");
  BOOST_TEST(c.helm_chart_repo("https://traefik.github.io/charts/").value_or("") == "traefik/traefik-helm-chart");
}

BOOST_AUTO_TEST_CASE(wrong_types_and_shapes_name_the_json_path) {
  const auto load = ua::config::parse_upgrade_config(R"({
    "github_repo_overrides": {"Bad Image": "a/b", "ghcr.io/x/y": "not-a-repo", "ghcr.io/x/z:1.0": "x/z"},
    "helm_chart_repo_overrides": [],
    "db_backed_services": {
      "a": {"type": "oracle", "shared": "yes"},
      "b": {"shared": true},
      "c": {"type": "mysql", "dedicated": true, "backup_cronjob": "x"},
      "d": {"type": "postgresql", "shared": true}
    },
    "backup_infrastructure": {"mysql": {"namespace": "dbaas"}},
    "version_jump_always_step": ["immich", 3],
    "auto_detect_rules": {"ok": "fine", "x": 3},
    "skip_image_patterns": "postgres",
    "breaking_change_keywords": ["breaking", ""]
  })");
  BOOST_TEST(!load.config.has_value());
  const auto& p = load.problems;
  const auto E = Problem::Severity::error;
  BOOST_TEST(has_problem(p, E, "$.github_repo_overrides[\"Bad Image\"]", "not an image name"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.github_repo_overrides[\"ghcr.io/x/y\"]", "not a GitHub owner/repo"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.github_repo_overrides[\"ghcr.io/x/z:1.0\"]", "without tag"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.helm_chart_repo_overrides", "expected an object, found an array"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.db_backed_services.a.type", "oracle"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.db_backed_services.a.shared", "expected true or false, found a string"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.db_backed_services.b", "missing \"type\""), dump(p));
  BOOST_TEST(has_problem(p, E, "$.db_backed_services.c", "go together"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.db_backed_services.d", "no \"postgresql\" entry"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.backup_infrastructure.mysql", "missing \"cronjob_name\""), dump(p));
  BOOST_TEST(has_problem(p, E, "$.version_jump_always_step[1]", "expected a string, found a number"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.auto_detect_rules.x", "expected a string, found a number"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.skip_image_patterns", "expected an array of strings"), dump(p));
  BOOST_TEST(has_problem(p, E, "$.breaking_change_keywords[1]", "empty keyword"), dump(p));
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_warnings_not_errors) {
  const auto load = ua::config::parse_upgrade_config(R"({
    "github_repo_overrides": {}, "helm_chart_repo_overrides": {}, "db_backed_services": {
      "x": {"type": "postgresql", "shared": true, "colour": "blue"}},
    "backup_infrastructure": {"postgresql": {"cronjob_name": "b", "namespace": "dbaas"}},
    "version_jump_always_step": [], "auto_detect_rules": {}, "skip_image_patterns": [],
    "breaking_change_keywords": ["breaking"], "skip_image_patern": ["typo"]
  })");
  BOOST_TEST_REQUIRE(load.config.has_value(), dump(load.problems));
  const auto W = Problem::Severity::warning;
  BOOST_TEST(has_problem(load.problems, W, "$.skip_image_patern", "unknown key"), dump(load.problems));
  BOOST_TEST(has_problem(load.problems, W, "$.db_backed_services.x.colour", "unknown key"), dump(load.problems));
}

BOOST_AUTO_TEST_CASE(malformed_json_says_where) {
  const auto load = ua::config::parse_upgrade_config("{\n  \"a\": [1, 2,\n  }\n");
  BOOST_TEST(!load.config.has_value());
  BOOST_TEST_REQUIRE(load.problems.size() == 1u);
  BOOST_TEST(load.problems[0].message.find("line 3") != std::string::npos, load.problems[0].message);
  BOOST_TEST(!ua::config::parse_upgrade_config("[]").config.has_value());
  BOOST_TEST(!ua::config::parse_upgrade_config("").config.has_value());
  BOOST_TEST(!ua::config::parse_upgrade_config(std::string(200, '[')).config.has_value());  // depth limit
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_error_naming_it) {
  const auto load = ua::config::load_upgrade_config("does-not-exist.json");
  BOOST_TEST(!load.config.has_value());
  BOOST_TEST_REQUIRE(load.problems.size() == 1u);
  BOOST_TEST(load.problems[0].where.find("does-not-exist.json") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
