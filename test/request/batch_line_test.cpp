// Batch lines (JSON of any form, or IMAGE TAG), whole batch files with their
// line numbers, and the DIUN status filter with its setting.
#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/request/request.hpp"

namespace ua::request {
namespace {

UpgradeRequest line_request(std::string_view line) {
  auto r = parse_batch_line(line);
  BOOST_REQUIRE_MESSAGE(r.has_value(), std::string(line) + ": " + (r ? "" : r.error().message));
  BOOST_REQUIRE_MESSAGE(r->has_value(), std::string(line) + ": no request");
  return **r;
}

std::string line_failure(std::string_view line) {
  auto r = parse_batch_line(line);
  BOOST_REQUIRE_MESSAGE(!r.has_value(), std::string(line) + " parsed");
  return r.error().message;
}

config::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

BOOST_AUTO_TEST_SUITE(batch_lines)

BOOST_AUTO_TEST_CASE(blank_lines_and_comments_hold_no_request) {
  for (std::string_view line : {"", "   ", "\t", "\r", "# vaultwarden/server 1.35.5", "   # indented comment"}) {
    auto r = parse_batch_line(line);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(!r->has_value());
  }
}

BOOST_AUTO_TEST_CASE(image_and_tag_separated_by_white_space) {
  auto r = line_request("vaultwarden/server 1.35.5");
  BOOST_TEST(r.image.name() == "docker.io/vaultwarden/server");
  BOOST_TEST(r.tag == "1.35.5");
  BOOST_TEST(to_string(r.source) == "batch line");
  BOOST_TEST(r.hub_link.empty());
  r = line_request("  ghcr.io/immich-app/immich-server \t v2.8.0 \r");
  BOOST_TEST(r.image.name() == "ghcr.io/immich-app/immich-server");
  BOOST_TEST(r.tag == "v2.8.0");
  r = line_request("lscr.io/linuxserver/lidarr:2.10.3");
  BOOST_TEST(r.image.name() == "lscr.io/linuxserver/lidarr");
  BOOST_TEST(r.tag == "2.10.3");
}

BOOST_AUTO_TEST_CASE(json_lines_keep_their_form) {
  auto r = line_request(R"({"image": "vaultwarden/server", "new_tag": "1.35.7"})");
  BOOST_TEST(to_string(r.source) == "flat JSON");
  BOOST_TEST(r.tag == "1.35.7");
  r = line_request(R"(  {"diun_version": "4.28.0", "status": "update", "image": "a/b:2.0", "hub_link": null})");
  BOOST_TEST(to_string(r.source) == "DIUN webhook");
  BOOST_TEST(r.diun->status == "update");
  r = line_request(R"({"diun_entry_status": "new", "diun_entry_image": "a/b", "diun_entry_imagetag": "3"})");
  BOOST_TEST(to_string(r.source) == "DIUN entry");
}

BOOST_AUTO_TEST_CASE(bad_lines_say_why) {
  BOOST_TEST(line_failure("vaultwarden/server") == "no target tag: write IMAGE TAG or IMAGE:TAG");
  BOOST_TEST(line_failure("vaultwarden/server 1.35.5 extra") ==
             "expected IMAGE TAG, got 3 words (a JSON request starts with '{')");
  BOOST_TEST(line_failure("vaultwarden/server:1.35.4 1.35.5") ==
             "two different tags: '1.35.4' in IMAGE and '1.35.5' in TAG");
  BOOST_TEST(line_failure("vaultwarden/Server 1.0").rfind("bad image: invalid image reference 'vaultwarden/Server': ",
                                                          0) == 0U);
  BOOST_TEST(line_failure("a/b;reboot 1.0").rfind("bad image: invalid image reference 'a/b;reboot': ", 0) == 0U);
  BOOST_TEST(line_failure("a/b $(id)").rfind("bad tag: tag '$(id)' ", 0) == 0U);
  BOOST_TEST(line_failure("a/b@sha256:6f0b3c1e8a2d4b7e9c0a1f2e3d4c5b6a7980f1e2d3c4b5a69788f7e6d5c4b3a2") ==
             "the image names a digest; a batch line takes a tag (IMAGE TAG)");
  BOOST_TEST(line_failure(R"({"image": "a/b", "new_tag": 1})") == "new_tag: expected a string, got a number");
  BOOST_TEST(line_failure("{broken").rfind("malformed JSON at byte 1: ", 0) == 0U);
}

BOOST_AUTO_TEST_CASE(a_file_keeps_line_numbers) {
  std::istringstream file(
      "# nightly batch\r\n"
      "vaultwarden/server 1.35.5\r\n"
      "\n"
      "not/a valid line here\n"
      R"({"image": "ghcr.io/immich-app/immich-server", "new_tag": "v2.8.0"})"
      "\n"
      "{\"image\": 3}\n"
      "headscale/headscale 0.26.0");  // no final newline
  const auto batch = parse_batch(file);
  BOOST_REQUIRE_EQUAL(batch.requests.size(), 3U);
  BOOST_TEST(batch.requests[0].line == 2U);
  BOOST_TEST(batch.requests[0].request.image.familiar_name() == "vaultwarden/server");
  BOOST_TEST(batch.requests[0].request.tag == "1.35.5");
  BOOST_TEST(batch.requests[1].line == 5U);
  BOOST_TEST(batch.requests[1].request.tag == "v2.8.0");
  BOOST_TEST(batch.requests[2].line == 7U);
  BOOST_TEST(batch.requests[2].request.image.familiar_name() == "headscale/headscale");
  BOOST_REQUIRE_EQUAL(batch.bad_lines.size(), 2U);
  BOOST_TEST(batch.bad_lines[0].line == 4U);
  BOOST_TEST(batch.bad_lines[0].error.message == "expected IMAGE TAG, got 4 words (a JSON request starts with '{')");
  BOOST_TEST(batch.bad_lines[1].line == 6U);
  BOOST_TEST(batch.bad_lines[1].error.message == "image: expected a string, got a number");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(diun_status_filter)

BOOST_AUTO_TEST_CASE(default_statuses_are_new_and_update) {
  const auto loaded = config::load_settings(std::nullopt, env_of({}));
  BOOST_TEST((loaded.settings.diun_statuses == std::vector<std::string>{"new", "update"}));
  const auto& statuses = loaded.settings.diun_statuses;
  const auto webhook = [](const std::string& status) {
    return *parse_json_request(R"({"diun_version": "4.28.0", "status": ")" + status + R"(", "image": "a/b:1.0"})");
  };
  BOOST_TEST(acts_on(webhook("new"), statuses));
  BOOST_TEST(acts_on(webhook("update"), statuses));
  BOOST_TEST(!acts_on(webhook("unchange"), statuses));
  BOOST_TEST(!acts_on(webhook("skip"), statuses));
  BOOST_TEST(!acts_on(webhook("New"), statuses));  // DIUN writes them in lower case
  // Requests that are not DIUN's always act.
  BOOST_TEST(acts_on(*parse_command_line("a/b:1.0", ""), std::vector<std::string>{}));
  BOOST_TEST(acts_on(**parse_batch_line("a/b 1.0"), std::vector<std::string>{"update"}));
}

BOOST_AUTO_TEST_CASE(the_setting_narrows_and_refuses_typos) {
  auto loaded = config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_DIUN_STATUSES", "new"}}));
  BOOST_TEST(!config::has_errors(loaded.problems));
  BOOST_TEST((loaded.settings.diun_statuses == std::vector<std::string>{"new"}));
  BOOST_TEST(!acts_on(*parse_json_request(R"({"diun_entry_status": "update", "diun_entry_image": "a/b",
      "diun_entry_imagetag": "1"})"),
                      loaded.settings.diun_statuses));

  loaded = config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_DIUN_STATUSES", "new, updte"}}));
  BOOST_REQUIRE(config::has_errors(loaded.problems));
  BOOST_TEST(loaded.problems.front().where == "UPGRADE_AGENT_DIUN_STATUSES");
  BOOST_TEST(loaded.problems.front().message ==
             "unknown DIUN status 'updte' (known: new, update, unchange, skip, error)");
  BOOST_TEST((loaded.settings.diun_statuses == std::vector<std::string>{"new", "update"}));  // unchanged

  BOOST_TEST(config::parse_diun_statuses(" , ").error().message == "names no DIUN status (expected e.g. new,update)");
  BOOST_TEST((*config::parse_diun_statuses("update,new,update") == std::vector<std::string>{"update", "new"}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::request
