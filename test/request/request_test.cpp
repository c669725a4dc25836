// Every intake's contract sample parses to exactly the request it means, and
// every malformed variant fails with the message that names what is wrong.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "upgrade_agent/request/request.hpp"

namespace ua::request {
namespace {

std::string contract(const std::string& name) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/" + name, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "contract " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of a parse that must fail; a success fails the test.
std::string failure(const core::Expected<UpgradeRequest>& parsed) {
  BOOST_REQUIRE_MESSAGE(!parsed.has_value(), "expected an error, got " + (parsed ? parsed->image.name() : ""));
  BOOST_TEST(parsed.error().kind == core::ErrorKind::bad_input);
  return parsed.error().message;
}

std::string json_failure(const std::string& text) { return failure(parse_json_request(text)); }

// The webhook sample with one key replaced by raw JSON.
std::string webhook_with(const std::string& key, const std::string& raw_value) {
  std::string body = contract("diun-webhook.json");
  const std::string quoted = "\"" + key + "\": ";
  const auto at = body.find(quoted);
  BOOST_REQUIRE(at != std::string::npos);
  const auto start = at + quoted.size();
  std::size_t end = start;
  if (body[start] == '{') {
    end = body.find('}', start) + 1;
  } else {
    end = body.find_first_of(",\n", start);
  }
  return body.substr(0, start) + raw_value + body.substr(end);
}

const std::string kDigest = "sha256:6f0b3c1e8a2d4b7e9c0a1f2e3d4c5b6a7980f1e2d3c4b5a69788f7e6d5c4b3a2";

BOOST_AUTO_TEST_SUITE(contract_samples)

BOOST_AUTO_TEST_CASE(flat_form) {
  const auto r = parse_json_request(contract("upgrade-request.json"));
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.name() == "docker.io/vaultwarden/server");
  BOOST_TEST(r->image.familiar_name() == "vaultwarden/server");
  BOOST_TEST(!r->image.tag.has_value());
  BOOST_TEST(!r->image.digest.has_value());
  BOOST_TEST(r->tag == "1.35.7");
  BOOST_TEST(r->hub_link == "https://hub.docker.com/r/vaultwarden/server");
  BOOST_TEST(to_string(r->source) == "flat JSON");
  BOOST_TEST(!r->diun.has_value());
}

BOOST_AUTO_TEST_CASE(diun_webhook_body) {
  const auto r = parse_json_request(contract("diun-webhook.json"));
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.name() == "ghcr.io/immich-app/immich-server");
  BOOST_TEST(!r->image.tag.has_value());
  BOOST_TEST(r->tag == "v2.8.0");
  BOOST_TEST(r->hub_link == "https://github.com/immich-app/immich/pkgs/container/immich-server");
  BOOST_TEST(to_string(r->source) == "DIUN webhook");
  BOOST_REQUIRE(r->diun.has_value());
  BOOST_TEST(r->diun->status == "new");
  BOOST_TEST(r->diun->provider == "kubernetes");
  BOOST_TEST(r->diun->pod_namespace == "immich");
  BOOST_TEST(r->diun->container == "immich-server");
  BOOST_TEST(r->diun->digest == kDigest);
  BOOST_TEST(r->diun->platform == "linux/amd64");
}

BOOST_AUTO_TEST_CASE(diun_entry_relay) {
  const auto r = parse_json_request(contract("diun-entry-flat.json"));
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.name() == "ghcr.io/linkwarden/linkwarden");
  BOOST_TEST(r->tag == "v2.14.0");
  BOOST_TEST(r->hub_link == "https://github.com/linkwarden/linkwarden/pkgs/container/linkwarden");
  BOOST_TEST(to_string(r->source) == "DIUN entry");
  BOOST_REQUIRE(r->diun.has_value());
  BOOST_TEST(r->diun->status == "update");
  BOOST_TEST(r->diun->provider == "kubernetes");
  BOOST_TEST(r->diun->pod_namespace.empty());
  BOOST_TEST(r->diun->container.empty());
  BOOST_TEST(r->diun->digest.empty());
}

BOOST_AUTO_TEST_CASE(webhook_nulls_unknown_keys_and_key_order) {
  // created and metadata null (DIUN's docker provider sends no metadata).
  auto r = parse_json_request(webhook_with("metadata", "null"));
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->diun->pod_namespace.empty());
  BOOST_TEST(r->diun->container.empty());
  r = parse_json_request(webhook_with("created", "null"));
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->tag == "v2.8.0");
  // Unknown keys are ignored, order does not matter, metadata may hold more.
  r = parse_json_request(R"({"metadata": {"pod_namespace": "media", "ctn_name": "app", "extra": "x"},
      "image": "lscr.io/linuxserver/lidarr:2.10.3", "status": "update", "diun_version": "4.32.0",
      "future_field": [1, 2], "provider": "kubernetes", "hub_link": "", "digest": null, "platform": null})");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.name() == "lscr.io/linuxserver/lidarr");
  BOOST_TEST(r->tag == "2.10.3");
  BOOST_TEST(r->hub_link.empty());
  BOOST_TEST(r->diun->status == "update");
  BOOST_TEST(r->diun->pod_namespace == "media");
  BOOST_TEST(r->diun->container == "app");
  BOOST_TEST(r->diun->digest.empty());
}

BOOST_AUTO_TEST_CASE(flat_form_variants) {
  // The image may carry the same tag; hub_link may be missing or null.
  auto r = parse_json_request(R"({"image": "vaultwarden/server:1.35.7", "new_tag": "1.35.7"})");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->tag == "1.35.7");
  BOOST_TEST(r->hub_link.empty());
  r = parse_json_request(R"({"image": "docker.io/library/nginx:1.27.3", "hub_link": null, "note": "ignored"})");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.familiar_name() == "nginx");
  BOOST_TEST(r->tag == "1.27.3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed_json)

BOOST_AUTO_TEST_CASE(not_json_or_not_an_object) {
  BOOST_TEST(json_failure(R"({"image": "a/b", )").rfind("malformed JSON at byte 17: ", 0) == 0U);
  BOOST_TEST(json_failure("{not json").rfind("malformed JSON at byte 1: ", 0) == 0U);
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": "1"} trailing)").rfind("malformed JSON at byte ", 0) == 0U);
  BOOST_TEST(json_failure("").rfind("malformed JSON at byte 0: ", 0) == 0U);
  BOOST_TEST(json_failure(R"(["a/b", "1.0"])") == "expected a JSON object, got an array");
  BOOST_TEST(json_failure("\"a/b:1.0\"") == "expected a JSON object, got a string");
  BOOST_TEST(json_failure("{\"image\": \"a/b\xff\", \"new_tag\": \"1\"}").rfind("malformed JSON", 0) == 0U);
}

BOOST_AUTO_TEST_CASE(size_limit) {
  const std::string pad(kMaxJsonBytes, ' ');
  const std::string ok = R"({"image": "a/b", "new_tag": "1.0"})";
  BOOST_TEST(parse_json_request(ok + pad.substr(ok.size())).has_value());  // exactly 64 KiB
  BOOST_TEST(json_failure(ok + pad.substr(ok.size() - 1)) ==
             "the request is 65537 bytes; at most 65536 (64 KiB) are accepted");
}

BOOST_AUTO_TEST_CASE(flat_fields) {
  BOOST_TEST(json_failure(R"({"new_tag": "1.0"})") == "image: missing (expected a string)");
  BOOST_TEST(json_failure("{}") == "image: missing (expected a string)");
  BOOST_TEST(json_failure(R"({"image": 5, "new_tag": "1.0"})") == "image: expected a string, got a number");
  BOOST_TEST(json_failure(R"({"image": null, "new_tag": "1.0"})") == "image: expected a string, got null");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": 1.0})") == "new_tag: expected a string, got a number");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": ["1.0"]})") == "new_tag: expected a string, got an array");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": ""})") == "new_tag: the tag is empty");
  BOOST_TEST(json_failure(R"({"image": "a/b"})") == "no target tag: new_tag is missing and image has no tag");
  BOOST_TEST(json_failure(R"({"image": "a/b:1.0", "new_tag": "1.1"})") ==
             "two different tags: '1.0' in image and '1.1' in new_tag");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": "-1"})") ==
             "new_tag: tag '-1' must start with a letter, digit or underscore");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": "1.0", "hub_link": 3})") ==
             "hub_link: expected a string or null, got a number");
  BOOST_TEST(json_failure(R"J({"image": "a/b", "new_tag": "1.0", "hub_link": "javascript:alert(1)"})J") ==
             "hub_link: expected an http:// or https:// URL of printable characters without spaces (at most 2048), "
             "got 'javascript:alert(1)'");
  BOOST_TEST(json_failure(R"({"image": "a/b", "new_tag": "1.0", "hub_link": "https://x/\n<!channel>"})") ==
             "hub_link: expected an http:// or https:// URL of printable characters without spaces (at most 2048), "
             "got 'https://x/?<!channel>'");
}

BOOST_AUTO_TEST_CASE(odd_image_names) {
  const auto flat = [](const std::string& image) {
    return json_failure(R"({"image": ")" + image + R"(", "new_tag": "1.0"})");
  };
  BOOST_TEST(flat("vaultwarden/server;rm -rf /") ==
             "image: invalid image reference 'vaultwarden/server;rm -rf /': it contains the character ';', which no "
             "image name has");
  BOOST_TEST(flat("vaultwarden/server$(id)").rfind("image: invalid image reference 'vaultwarden/server$(id)': ", 0) ==
             0U);
  BOOST_TEST(flat("a/b`id`").rfind("image: invalid image reference 'a/b`id`': ", 0) == 0U);
  BOOST_TEST(flat("vault warden/server") ==
             "image: invalid image reference 'vault warden/server': it contains whitespace or a control/non-ASCII "
             "character");
  BOOST_TEST(flat("Vaultwarden/Server").rfind("image: invalid image reference 'Vaultwarden/Server': ", 0) == 0U);
  BOOST_TEST(flat("Vaultwarden/Server").find("uppercase") != std::string::npos);
  BOOST_TEST(flat("a/../b").rfind("image: invalid image reference 'a/../b': ", 0) == 0U);
  BOOST_TEST(flat("") == "image: invalid image reference '': it is empty");
  BOOST_TEST(json_failure(R"({"image": "a/b:", "new_tag": "1.0"})").rfind("image: invalid image reference 'a/b:': ",
                                                                          0) == 0U);
  BOOST_TEST(flat("a/b@" + kDigest) == "image: names a digest; a request names a tag (in new_tag)");
  BOOST_TEST(flat("a/b:1.0@" + kDigest) == "image: names a digest; a request names a tag (in new_tag)");
}

BOOST_AUTO_TEST_CASE(webhook_fields) {
  BOOST_TEST(json_failure(webhook_with("image", "\"ghcr.io/immich-app/immich-server\"")) ==
             "image: has no tag; DIUN's image carries it (IMAGE:TAG)");
  BOOST_TEST(json_failure(webhook_with("image", "\"ghcr.io/immich-app/immich-server@" + kDigest + "\"")) ==
             "image: names a digest; a request names a tag (IMAGE:TAG)");
  BOOST_TEST(json_failure(webhook_with("image", "42")) == "image: expected a string, got a number");
  BOOST_TEST(json_failure(webhook_with("status", "true")) == "status: expected a string, got a boolean");
  BOOST_TEST(json_failure(webhook_with("status", "\"\"")) == "status: is empty (DIUN sends new, update, ...)");
  BOOST_TEST(json_failure(webhook_with("status", "\"new\\nfake line\"")) ==
             "status: expected a word of at most 253 printable characters, got 'new?fake line'");
  BOOST_TEST(json_failure(webhook_with("created", "1713600764")) == "created: expected a string or null, got a number");
  BOOST_TEST(json_failure(webhook_with("metadata", "\"immich\"")) == "metadata: expected an object or null, got a string");
  BOOST_TEST(json_failure(webhook_with("metadata", R"({"pod_namespace": 7})")) ==
             "metadata.pod_namespace: expected a string or null, got a number");
  BOOST_TEST(json_failure(webhook_with("metadata", R"({"ctn_name": "a b"})")) ==
             "metadata.ctn_name: expected a word of at most 253 printable characters, got 'a b'");
  BOOST_TEST(json_failure(webhook_with("digest", "{}")) == "digest: expected a string or null, got an object");
  BOOST_TEST(json_failure(webhook_with("hub_link", "\"ftp://x\"")).rfind("hub_link: expected an http:// or https:// URL",
                                                                          0) == 0U);
  BOOST_TEST(json_failure(R"({"diun_version": "4.28.0", "image": "a/b:1.0"})") == "status: missing (expected a string)");
  BOOST_TEST(json_failure(R"({"diun_version": "4.28.0", "status": "new"})") == "image: missing (expected a string)");
}

BOOST_AUTO_TEST_CASE(diun_entry_fields) {
  const std::string base = R"("diun_entry_status": "update", "diun_entry_provider": "kubernetes")";
  BOOST_TEST(json_failure("{" + base + R"(, "diun_entry_image": "ghcr.io/linkwarden/linkwarden"})") ==
             "no target tag: diun_entry_imagetag is missing and diun_entry_image has no tag");
  BOOST_TEST(json_failure("{" + base + R"(, "diun_entry_imagetag": "v2.14.0"})") ==
             "diun_entry_image: missing (expected a string)");
  BOOST_TEST(json_failure("{" + base +
                          R"(, "diun_entry_image": "ghcr.io/linkwarden/linkwarden:v2.13.0", "diun_entry_imagetag": "v2.14.0"})") ==
             "two different tags: 'v2.13.0' in diun_entry_image and 'v2.14.0' in diun_entry_imagetag");
  BOOST_TEST(json_failure("{" + base + R"(, "diun_entry_image": "a/b", "diun_entry_imagetag": ""})") ==
             "diun_entry_imagetag: the tag is empty");
  BOOST_TEST(json_failure("{" + base + R"(, "diun_entry_image": "a/b", "diun_entry_imagetag": 2})") ==
             "diun_entry_imagetag: expected a string or null, got a number");
  BOOST_TEST(json_failure("{" + base + R"(, "diun_entry_image": "A/B", "diun_entry_imagetag": "1"})")
                 .rfind("diun_entry_image: invalid image reference 'A/B': ", 0) == 0U);
  BOOST_TEST(json_failure(R"({"diun_entry_image": "a/b", "diun_entry_imagetag": "1"})") ==
             "diun_entry_status: missing (expected a string)");
  BOOST_TEST(json_failure(R"({"diun_entry_status": "new", "diun_entry_image": "a/b", "diun_entry_imagetag": "1",
                              "diun_entry_hublink": "not a url"})")
                 .rfind("diun_entry_hublink: expected an http:// or https:// URL", 0) == 0U);
  // The image may carry the same tag, and the tag field may then be left out.
  const auto r = parse_json_request(R"({"diun_entry_status": "new", "diun_entry_image": "a/b:1.0",
      "diun_entry_metadata_pod_namespace": "ns", "diun_entry_metadata_ctn_name": "c", "diun_entry_digest": ")" +
                                    kDigest + R"("})");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->tag == "1.0");
  BOOST_TEST(r->diun->pod_namespace == "ns");
  BOOST_TEST(r->diun->container == "c");
  BOOST_TEST(r->diun->digest == kDigest);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(command_line)

// `plan`, `edit` and `run` keep their messages (test/cli/golden holds them too).
BOOST_AUTO_TEST_CASE(image_and_tag) {
  auto r = parse_command_line("ghcr.io/immich-app/immich-server:v2.8.0", "");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->image.name() == "ghcr.io/immich-app/immich-server");
  BOOST_TEST(!r->image.tag.has_value());
  BOOST_TEST(r->tag == "v2.8.0");
  BOOST_TEST(to_string(r->source) == "command line");
  r = parse_command_line("vaultwarden/server", "1.36.0", "https://hub.docker.com/r/vaultwarden/server");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->tag == "1.36.0");
  BOOST_TEST(r->hub_link == "https://hub.docker.com/r/vaultwarden/server");
  BOOST_TEST(parse_command_line("vaultwarden/server:1.36.0", "1.36.0").has_value());

  BOOST_TEST(failure(parse_command_line("vaultwarden/server:1.35.7", "1.35.6")) ==
             "two different tags: '1.35.7' in --image and '1.35.6' in --tag");
  BOOST_TEST(failure(parse_command_line("vaultwarden/server", "")) == "no target tag: give IMAGE:TAG or --tag TAG");
  BOOST_TEST(failure(parse_command_line("vaultwarden/server@" + kDigest, "")) ==
             "the image names a digest; edit and plan take a tag (IMAGE:TAG or --tag TAG)");
  BOOST_TEST(failure(parse_command_line("Vault warden:1.0", "")) ==
             "bad image: invalid image reference 'Vault warden:1.0': it contains whitespace or a control/non-ASCII "
             "character");
  BOOST_TEST(failure(parse_command_line("a/b", "1.0;reboot")).rfind("bad tag: tag '1.0;reboot' contains ';'", 0) == 0U);
  BOOST_TEST(failure(parse_command_line("a/b", "1.0", "https://x y")).rfind("--hub-link: expected an http", 0) == 0U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::request
