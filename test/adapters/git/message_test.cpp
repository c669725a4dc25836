#include <boost/test/unit_test.hpp>

#include "adapters/git/remote_session.hpp"
#include "upgrade_agent/adapters/git/error.hpp"
#include "upgrade_agent/adapters/git/message.hpp"
#include "upgrade_agent/adapters/git/options.hpp"

namespace git = ua::adapters::git;

BOOST_AUTO_TEST_SUITE(git_message)

BOOST_AUTO_TEST_CASE(the_seed_format_line_by_line) {
  git::UpgradeMessage m;
  m.stack = "immich";
  m.old_version = "v2.7.4";
  m.new_version = "v2.8.0";
  m.changelog_summary = {"Security: fix XSS in shared links", "", "Faster thumbnail generation"};
  m.risk = "CAUTION";
  m.breaking_changes = {"v2.8.0: the `machine-learning` env var\nIMMICH_ML_URL was renamed", "  "};
  m.db_backup = "yes (job: pre-upgrade-immich-1714000000)";
  m.config_changes = {};
  m.flagged_for_review = {"new REDIS_URL format"};
  m.co_author = {"Service Upgrade Agent", "noreply@viktorbarzin.me"};
  const auto text = git::build_upgrade_message(m);
  BOOST_REQUIRE(text.has_value());
  BOOST_TEST(*text ==
             "upgrade: immich v2.7.4 -> v2.8.0\n"
             "\n"
             "Changelog summary: Security: fix XSS in shared links\n"
             "  Faster thumbnail generation\n"
             "Risk: CAUTION\n"
             "Breaking changes: v2.8.0: the `machine-learning` env var IMMICH_ML_URL was renamed\n"
             "DB backup: yes (job: pre-upgrade-immich-1714000000)\n"
             "Config changes applied: none\n"
             "Flagged for manual review: new REDIS_URL format\n"
             "\n"
             "Co-Authored-By: Service Upgrade Agent <noreply@viktorbarzin.me>\n");
}

BOOST_AUTO_TEST_CASE(defaults_say_none_unavailable_and_not_db_backed) {
  git::UpgradeMessage m{"vaultwarden", "1.35.4", "1.35.5", {}, "UNKNOWN", {}, "", {}, {}};
  const auto text = git::build_upgrade_message(m);
  BOOST_REQUIRE(text.has_value());
  BOOST_TEST(text->find("Changelog summary: unavailable (no changelog found)\n") != std::string::npos);
  BOOST_TEST(text->find("Breaking changes: none\n") != std::string::npos);
  BOOST_TEST(text->find("DB backup: no (not DB-backed)\n") != std::string::npos);
  BOOST_TEST(text->find("\n\nCo-Authored-By: " + git::default_identity().to_string() + "\n") != std::string::npos);
  BOOST_TEST(text->rfind(git::upgrade_subject_prefix("vaultwarden"), 0) == 0U);
}

BOOST_AUTO_TEST_CASE(bad_fields_are_named) {
  git::UpgradeMessage good{"immich", "v1", "v2", {"x"}, "SAFE", {}, "", {}, {}};
  BOOST_TEST(git::build_upgrade_message(good).has_value());
  auto m = good;
  m.stack = "two words";
  BOOST_TEST(git::build_upgrade_message(m).error().message.find("stack") != std::string::npos);
  m = good;
  m.new_version = "";
  BOOST_TEST(git::build_upgrade_message(m).error().message.find("new version") != std::string::npos);
  m = good;
  m.risk = "LOW";
  BOOST_TEST(git::build_upgrade_message(m).error().message.find("risk") != std::string::npos);
  m = good;
  m.co_author = {"Agent", "not-an-address"};
  BOOST_TEST(!git::build_upgrade_message(m).has_value());
  m = good;
  m.changelog_summary = {"Now skips builds tagged [skip ci]"};
  const auto refused = git::build_upgrade_message(m);
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().message.find("[skip ci]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_skip_directive_spelling_is_found) {
  for (const std::string text :
       {"[CI SKIP]", "[ci skip]", "[skip ci]", "[Skip CI]", "[CI-SKIP]", "[ci  skip]", "[skip_ci]", "[ci.skip]",
        "[skipci]", "[no ci]", "[NO CI]", "[skip actions]", "[actions skip]", "[skip travis]", "***NO_CI***",
        "***no ci***", "skip-checks: true", "skip-checks:true", "Skip-Checks:  TRUE", "[ Skip - CI ]"}) {
    BOOST_TEST_CONTEXT(text) {
      const auto message = "upgrade: a 1 -> 2\n\nsomething " + text + " here\n";
      const auto found = git::find_ci_skip_directive(message);
      BOOST_REQUIRE(found.has_value());
      BOOST_TEST(message.find(*found) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(ordinary_text_is_not_a_directive) {
  for (const std::string text :
       {"upgrade: immich v1 -> v2", "skip ci without brackets", "[ci]", "[skip cinder]", "[skip]", "[ci skipping]",
        "skip-checks: false", "***NOTE***", "[x] checked box", "[ci skip", "ci skip]", "[\nci skip]"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_TEST(!git::find_ci_skip_directive(text).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(identities_are_validated) {
  BOOST_TEST(git::validate_identity({"Service Upgrade Agent", "noreply@example.com"}).has_value());
  BOOST_TEST(!git::validate_identity({"", "a@b"}).has_value());
  BOOST_TEST(!git::validate_identity({"A <b>", "a@b"}).has_value());
  BOOST_TEST(!git::validate_identity({"A", "a@b\nInjected: header"}).has_value());
  BOOST_TEST(!git::validate_identity({"A", "no-at-sign"}).has_value());
  BOOST_TEST(git::default_identity().to_string() == ua::config::Settings{}.git_author);
  BOOST_TEST(git::default_identity().to_string().rfind("Service Upgrade Agent <noreply@", 0) == 0U);
  const auto parsed = git::parse_identity("  Jane Doe   <jane@example.com>");
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->name == "Jane Doe");
  BOOST_TEST(parsed->email == "jane@example.com");
  BOOST_TEST(!git::parse_identity("Jane Doe jane@example.com").has_value());
  BOOST_TEST(!git::parse_identity("<jane@example.com>").has_value());
}

BOOST_AUTO_TEST_CASE(options_come_from_settings_and_gits_own_variables) {
  ua::config::Settings settings;
  settings.repo = "/srv/infra";
  settings.git_remote = "upstream";
  settings.git_branch = "main";
  settings.git_author = "Upgrade Bot <bot@example.com>";
  settings.github_token = ua::config::Secret("ghp_example");
  std::map<std::string, std::string> vars = {{"GIT_COMMITTER_EMAIL", "ci@example.com"}};
  ua::config::Environment env = [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  auto options = git::options_from_settings(settings, env);
  BOOST_REQUIRE(options.has_value());
  BOOST_TEST(options->repo == "/srv/infra");
  BOOST_TEST(options->remote == "upstream");
  BOOST_TEST(options->branch == "main");
  BOOST_TEST(options->https_token.reveal() == "ghp_example");
  BOOST_TEST(options->author.to_string() == "Upgrade Bot <bot@example.com>");
  BOOST_TEST(options->committer.to_string() == "Upgrade Bot <ci@example.com>");

  vars["GIT_COMMITTER_NAME"] = "broken <name>";
  auto bad = git::options_from_settings(settings, env);
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().message.find("GIT_COMMITTER_NAME") != std::string::npos);
  vars.erase("GIT_COMMITTER_NAME");
  settings.git_author = "no brackets";
  bad = git::options_from_settings(settings, env);
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().message.find("UPGRADE_AGENT_GIT_AUTHOR") != std::string::npos);
  settings.git_author = "Upgrade Bot <bot@example.com>";
  settings.git_ssh_key = "/keys/id_ed25519";
  settings.git_ssh_passphrase = ua::config::Secret("pass");
  auto ssh = git::options_from_settings(settings, env);
  BOOST_REQUIRE(ssh.has_value());
  BOOST_TEST(ssh->ssh_private_key.value_or("") == "/keys/id_ed25519");
  BOOST_TEST(ssh->ssh_passphrase.reveal() == "pass");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(git_redact)

BOOST_AUTO_TEST_CASE(userinfo_is_removed_from_every_url) {
  BOOST_TEST(git::redact_url_userinfo("https://x-access-token:ghp_secret@github.com/o/r.git") ==
             "https://***@github.com/o/r.git");
  BOOST_TEST(git::redact_url_userinfo("fetch 'http://user@127.0.0.1:8080/git/r' and https://a:b@h:1?x=1 done") ==
             "fetch 'http://***@127.0.0.1:8080/git/r' and https://***@h:1?x=1 done");
  BOOST_TEST(git::redact_url_userinfo("https://github.com/o/r.git") == "https://github.com/o/r.git");
  BOOST_TEST(git::redact_url_userinfo("git@github.com:o/r.git") == "git@github.com:o/r.git");
  BOOST_TEST(git::redact_url_userinfo("://odd@thing") == "://odd@thing");
  BOOST_TEST(git::redact_url_userinfo("ssh://git:pw@host/path") == "ssh://***@host/path");
}

BOOST_AUTO_TEST_CASE(secrets_are_replaced_everywhere) {
  BOOST_TEST(git::redact("token tok123 and tok123tok123", {"tok123"}) == "token *** and ******");
  BOOST_TEST(git::redact("nothing here", {"", "absent"}) == "nothing here");
}

BOOST_AUTO_TEST_CASE(errors_name_kind_operation_and_remote) {
  const git::GitError error(git::ErrorKind::revert_conflict, "revert", "origin", "conflicts in a.tf");
  BOOST_TEST(error.critical());
  BOOST_TEST(std::string(error.what()) == "CRITICAL: git revert (remote 'origin'): conflicts in a.tf");
  const git::GitError plain(git::ErrorKind::auth, "push", "origin", "refused");
  BOOST_TEST(!plain.critical());
  BOOST_TEST(git::to_string(plain.kind()) == "auth");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transport_rules)

BOOST_AUTO_TEST_CASE(urls_are_classified_by_transport) {
  using ua::adapters::git::detail::Transport;
  using ua::adapters::git::detail::transport_of;
  BOOST_TEST((transport_of("https://github.com/ViktorBarzin/infra.git") == Transport::http));
  BOOST_TEST((transport_of("HTTP://127.0.0.1:8080/git/r") == Transport::http));
  BOOST_TEST((transport_of("ssh://git@github.com/o/r.git") == Transport::ssh));
  BOOST_TEST((transport_of("git@github.com:ViktorBarzin/infra.git") == Transport::ssh));
  BOOST_TEST((transport_of("file:///srv/git/infra.git") == Transport::local));
  BOOST_TEST((transport_of("/srv/git/infra.git") == Transport::local));
  BOOST_TEST((transport_of("../infra.git") == Transport::local));
  BOOST_TEST((transport_of("git://example.com/r") == Transport::other));
}

// The token may cross plain http only to this machine (the test server);
// anywhere else it needs https.
BOOST_AUTO_TEST_CASE(plain_http_carries_the_token_only_to_loopback) {
  using ua::adapters::git::detail::is_loopback_http;
  BOOST_TEST(is_loopback_http("http://127.0.0.1:8080/git/infra.git"));
  BOOST_TEST(is_loopback_http("http://user@localhost/git/infra.git"));
  BOOST_TEST(is_loopback_http("http://[::1]:9000/r"));
  BOOST_TEST(!is_loopback_http("http://example.com/r"));
  BOOST_TEST(!is_loopback_http("http://127.0.0.1.evil.example/r"));
  BOOST_TEST(!is_loopback_http("http://localhost.evil.example/r"));
  BOOST_TEST(!is_loopback_http("https://127.0.0.1/r"));  // https needs no exception
}

BOOST_AUTO_TEST_CASE(a_password_in_the_url_is_recognised) {
  using ua::adapters::git::detail::has_url_password;
  BOOST_TEST(has_url_password("https://x-access-token:ghp_x@github.com/o/r.git"));
  BOOST_TEST(has_url_password("http://u:p@127.0.0.1:8080/git/r"));
  BOOST_TEST(!has_url_password("https://x-access-token@github.com/o/r.git"));  // a user alone
  BOOST_TEST(!has_url_password("https://github.com:443/o/r.git"));             // a port is no password
  BOOST_TEST(!has_url_password("https://github.com/o/a:b@c"));                 // '@' after the host
  BOOST_TEST(!has_url_password("git@github.com:o/r.git"));
}

BOOST_AUTO_TEST_SUITE_END()
