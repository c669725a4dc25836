#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "upgrade_agent/adapters/github/github.hpp"

using namespace ua::adapters::github;
using ua::core::parse_image_ref;

namespace {

std::string contract(const std::string& name) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/" + name);
  BOOST_REQUIRE_MESSAGE(in, "contract " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string detect(const char* image) {
  auto ref = parse_image_ref(image);
  BOOST_REQUIRE(ref);
  auto r = auto_detect_repo(*ref);
  return r ? *r : "ERR: " + r.error().message;
}

ua::core::Tag tag(const char* t) { return ua::core::parse_tag(t).value(); }

ua::core::ReleaseNote note(const char* t) {
  ua::core::ReleaseNote n;
  n.tag = t;
  n.version = ua::core::release_version(t);
  return n;
}

std::vector<std::string> tags_of(const std::vector<ua::core::ReleaseNote>& notes) {
  std::vector<std::string> out;
  for (const auto& n : notes) out.push_back(n.tag);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(github_parsing)

BOOST_AUTO_TEST_CASE(auto_detect_follows_the_seed_rules) {
  BOOST_TEST(detect("ghcr.io/immich-app/immich-server:v2.7.4") == "immich-app/immich-server");
  BOOST_TEST(detect("docker.io/vaultwarden/server") == "vaultwarden/server");
  BOOST_TEST(detect("headscale/headscale:0.23") == "headscale/headscale");
  BOOST_TEST(detect("lscr.io/linuxserver/qbittorrent:5.0.0") == "linuxserver/docker-qbittorrent");
  BOOST_TEST(detect("quay.io/keycloak/keycloak") == "keycloak/keycloak");
  BOOST_TEST(detect("registry.gitlab.com/acme/tool") == "acme/tool");
  BOOST_TEST(detect("nginx:1.27").find("official Docker Hub image") != std::string::npos);
  BOOST_TEST(detect("docker.io/library/redis").find("ERR") == 0U);
  BOOST_TEST(detect("docker.n8n.io/n8nio/n8n").find("no auto-detect rule for registry docker.n8n.io") !=
             std::string::npos);
  BOOST_TEST(detect("lscr.io/other/app").find("ERR") == 0U);
}

BOOST_AUTO_TEST_CASE(suffixes_stripped_once) {
  BOOST_TEST(strip_known_suffix("immich-app/immich-server").value() == "immich-app/immich");
  BOOST_TEST(strip_known_suffix("rybbit-io/rybbit-backend").value() == "rybbit-io/rybbit");
  BOOST_TEST(strip_known_suffix("acme/todo-app").value() == "acme/todo");
  BOOST_TEST(!strip_known_suffix("acme/tool"));
  BOOST_TEST(!strip_known_suffix("acme/-app"));  // nothing left
}

BOOST_AUTO_TEST_CASE(link_header_next) {
  const std::string h =
      R"(<https://api.github.com/repositories/1/releases?per_page=100&page=2>; rel="next", )"
      R"(<https://api.github.com/repositories/1/releases?per_page=100&page=5>; rel="last")";
  BOOST_TEST(next_link(h).value() == "https://api.github.com/repositories/1/releases?per_page=100&page=2");
  BOOST_TEST(!next_link(R"(<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first")"));
  BOOST_TEST(next_link(R"(<https://x/a,b?page=3>; rel=next)").value() == "https://x/a,b?page=3");
  BOOST_TEST(!next_link(""));
  BOOST_TEST(!next_link("garbage"));
}

BOOST_AUTO_TEST_CASE(contract_changelog_decodes_and_splits) {
  const auto doc = boost::json::parse(contract("github-contents.json")).as_object();
  auto text = decode_base64(doc.at("content").as_string());
  BOOST_REQUIRE(text);
  BOOST_TEST(text->find("## 1.2.0") != std::string::npos);
  auto notes = split_changelog(*text, "https://github.com/example/app/blob/main/CHANGELOG.md");
  BOOST_REQUIRE_EQUAL(notes.size(), 2U);
  BOOST_TEST(notes[0].tag == "1.2.0");
  BOOST_TEST(notes[0].body == "- BREAKING: config key `foo` renamed to `bar`");
  BOOST_TEST(notes[1].tag == "1.1.0");
  BOOST_TEST(notes[1].body == "- New feature");
  BOOST_TEST(!decode_base64("abc$"));
  BOOST_TEST(decode_base64("aGk=\n").value() == "hi");
}

BOOST_AUTO_TEST_CASE(changelog_heading_styles) {
  const std::string md =
      "# Changelog\n"
      "## [Unreleased]\n- not yet\n"
      "## [2.0.0] - 2026-01-02\n### Breaking\n- removed x\n"
      "```\n## 1.9.9\n```\n"
      "## v1.5.0\n- five\n"
      "# 1.4.0 (2025-12-01)\n- four\n"
      "### [1.3.0](https://github.com/a/b/compare/v1.2.0...v1.3.0) (2025-11-01)\n- three\n"
      "## Version 1.2.0\n- two\n"
      "## Older releases\nsee the wiki\n";
  auto notes = split_changelog(md, "u");
  BOOST_REQUIRE_EQUAL(notes.size(), 5U);
  BOOST_TEST(tags_of(notes) == (std::vector<std::string>{"2.0.0", "v1.5.0", "1.4.0", "1.3.0", "1.2.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(notes[0].body == "### Breaking\n- removed x\n```\n## 1.9.9\n```");
  BOOST_TEST(notes[2].body.find("- four") == 0U);
  BOOST_TEST(notes[4].body == "- two");  // "## Older releases" ends it
}

BOOST_AUTO_TEST_CASE(range_is_after_current_up_to_target) {
  std::vector<ua::core::ReleaseNote> notes = {note("v2.0.0"),     note("1.9.0"),  note("v1.10.0-rc1"), note("1.10.0"),
                                              note("junk"),       note("1.8.0"),  note("v1.9.0"),      note("2.1.0")};
  BOOST_TEST(tags_of(in_range(notes, tag("1.8.0"), tag("2.0.0"))) ==
                 (std::vector<std::string>{"1.9.0", "1.10.0", "v2.0.0"}),
             boost::test_tools::per_element());
  BOOST_TEST(tags_of(in_range(notes, tag("v1.9.0-alpine"), tag("v1.10.0-rc1-alpine"))) ==
                 (std::vector<std::string>{"v1.10.0-rc1"}),
             boost::test_tools::per_element());
  BOOST_TEST(in_range(notes, tag("2.1.0"), tag("2.1.0")).empty());
  // Build revisions of the image: 4.10.0-r1 is release 4.10.0.
  std::vector<ua::core::ReleaseNote> coturn = {note("4.10.0"), note("4.7.0"), note("4.6.3")};
  BOOST_TEST(tags_of(in_range(coturn, tag("4.6.3-r1"), tag("4.10.0-r1"))) ==
                 (std::vector<std::string>{"4.7.0", "4.10.0"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
