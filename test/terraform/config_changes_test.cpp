// Config renames from release-note fixtures: applied byte-exact where the
// Terraform sets the old name, flagged otherwise.
#include <boost/test/unit_test.hpp>

#include "upgrade_agent/terraform/config_changes.hpp"

using ua::terraform::ConfigFile;

namespace {

ua::core::Changelog notes(std::string tag, std::string body) {
  ua::core::Changelog c;
  ua::core::ReleaseNote r;
  r.tag = std::move(tag);
  r.body = std::move(body);
  c.releases.push_back(std::move(r));
  return c;
}

const std::vector<ConfigFile> kFiles{
    {"stacks/app/main.tf", "resource \"kubernetes_deployment\" \"app\" {\n  spec {\n    container {\n      env {\n"
                           "        name  = \"DB_HOST\"\n        value = \"db\"\n      }\n      env {\n"
                           "        name  = \"LOG_LEVEL\"\n        value = \"info\"\n      }\n    }\n  }\n}\n"
                           "locals {\n  env = { SECRET_KEY = \"x\" }\n}\n"},
    {"stacks/app/values.yaml", "env:\n  MAIL_FROM: a@b.c\n"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config_changes)

BOOST_AUTO_TEST_CASE(every_rename_form_is_applied_in_place) {
  const auto c = ua::terraform::find_config_changes(
      notes("v2.0.0", "## Breaking changes\n- `DB_HOST` -> `DATABASE_HOST`\n\n## Other\n"
                      "- `SECRET_KEY` was renamed to `APP_SECRET_KEY`\n"
                      "- `MAIL_FROM` is deprecated, use `SMTP_FROM` instead\n"),
      kFiles);
  BOOST_TEST_REQUIRE(c.renames.size() == 3U);
  BOOST_TEST(c.renames[0].from == "DB_HOST");
  BOOST_TEST(c.renames[0].line == 2U);
  BOOST_TEST(c.renames[0].release == "v2.0.0");
  BOOST_TEST(c.renames[1].sites.front().where == "map key");
  BOOST_TEST(c.renames[2].sites.front().file == "stacks/app/values.yaml");
  BOOST_TEST((c.applied_lines().front() == "DB_HOST -> DATABASE_HOST (v2.0.0)"));
  BOOST_TEST(c.flagged.empty());
  const auto files = ua::terraform::render_config_changes(c, [&](const std::string& p) -> std::optional<std::string> {
    for (const auto& f : kFiles) {
      if (f.path == p) return f.content;
    }
    return std::nullopt;
  });
  BOOST_TEST_REQUIRE(files.has_value());
  BOOST_TEST_REQUIRE(files->size() == 2U);
  std::string want = kFiles[0].content;
  want.replace(want.find("DB_HOST"), 7, "DATABASE_HOST");
  want.replace(want.find("SECRET_KEY"), 10, "APP_SECRET_KEY");
  BOOST_TEST((*files)[0].after == want);
  BOOST_TEST((*files)[1].after == "env:\n  SMTP_FROM: a@b.c\n");
}

BOOST_AUTO_TEST_CASE(arrows_outside_a_breaking_section_are_not_renames) {
  const auto c = ua::terraform::find_config_changes(notes("v2.0.0", "## Features\n- `DB_HOST` -> `DATABASE_HOST`\n"),
                                                    kFiles);
  BOOST_TEST(c.renames.empty());
}

BOOST_AUTO_TEST_CASE(unset_names_required_settings_and_breaking_lines_are_flagged) {
  const auto c = ua::terraform::find_config_changes(
      notes("v3.0.0", "## Migration\n- `OLD_TOKEN` was renamed to `NEW_TOKEN`\n"
                      "- `ENCRYPTION_KEY` is now required (default: none)\n"
                      "- LOG_LEVEL no longer accepts `trace`\n"
                      "```\nDB_HOST=x\n```\n"),
      kFiles);
  BOOST_TEST(c.renames.empty());
  BOOST_TEST_REQUIRE(c.flagged.size() == 3U);
  BOOST_TEST(c.flagged[0].why.find("does not set OLD_TOKEN") != std::string::npos);
  BOOST_TEST(c.flagged[1].why.find("required") != std::string::npos);
  BOOST_TEST(c.flagged[2].text == "- LOG_LEVEL no longer accepts `trace`");
  BOOST_TEST(c.flagged_lines()[2].rfind("v3.0.0: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(off_flags_instead_of_applying) {
  const auto c = ua::terraform::find_config_changes(notes("v2.0.0", "- `DB_HOST` was renamed to `DATABASE_HOST`\n"),
                                                    kFiles, false);
  BOOST_TEST(c.renames.empty());
  BOOST_TEST_REQUIRE(c.flagged.size() == 1U);
  BOOST_TEST(c.flagged[0].why.find("config_changes is off") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rename_in_place_refuses_changed_bytes) {
  const std::vector<ua::terraform::NameSite> sites{{"f.tf", 3, 1, "env"}};
  const auto ok = ua::terraform::rename_in_place("x  DB_HOST y", sites, "f.tf", "DB_HOST", "DATABASE_HOST");
  BOOST_TEST_REQUIRE(ok.has_value());
  BOOST_TEST(*ok == "x  DATABASE_HOST y");
  BOOST_TEST(!ua::terraform::rename_in_place("x  DB_HOXT y", sites, "f.tf", "DB_HOST", "DATABASE_HOST").has_value());
  BOOST_TEST(!ua::terraform::rename_in_place("x  DB_HOST y", sites, "f.tf", "DB_HOST", "bad name").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
