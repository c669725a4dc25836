// The sandbox's registry simulator held to the OCI distribution API by real
// clients: skopeo (the containers/image library every registry tool uses)
// reads its tags, manifests and digests; curl sees the spec's headers and
// error bodies; and the agent's own adapter moves pins against it.
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/coro.hpp"
#include "support/registry_sim.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
#include "upgrade_agent/adapters/registry/manifest.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"

namespace json = boost::json;
namespace reg = ua::sandbox::registry;

namespace {

std::string authority(const ua::test::RegistryOnThread& r) { return r.url().substr(std::string("http://").size()); }

ua::test::ChildResult skopeo(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--insecure-policy"};
  all.insert(all.end(), args.begin(), args.end());
  return ua::test::run_child("/usr/bin/skopeo", all, {"REGISTRY_AUTH_FILE", "http_proxy", "https_proxy"},
                             {"HOME=/nonexistent"}, 60000);
}

ua::test::ChildResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> all{"-sS", "-i"};
  all.insert(all.end(), args.begin(), args.end());
  return ua::test::run_child("/usr/bin/curl", all, {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_simulator)

BOOST_AUTO_TEST_CASE(skopeo_lists_the_tags_and_reads_the_index_and_each_platform_by_digest) {
  ua::test::RegistryOnThread registry;
  const std::string ref = "docker://" + authority(registry) + "/library/traefik";
  const auto tags = skopeo({"list-tags", "--tls-verify=false", ref});
  BOOST_REQUIRE_MESSAGE(tags.code == 0, tags.err);
  const auto tag_doc = json::parse(tags.out);
  const auto& listed = tag_doc.as_object().at("Tags").as_array();
  BOOST_TEST(listed.size() == 2U);
  BOOST_TEST(std::count(listed.begin(), listed.end(), json::value("v3.3.2")) == 1);
  BOOST_TEST(std::count(listed.begin(), listed.end(), json::value("v3.3.3")) == 1);

  // The raw index is the bytes whose sha256 the simulator names.
  const auto raw = skopeo({"inspect", "--raw", "--tls-verify=false", ref + ":v3.3.3"});
  BOOST_REQUIRE_MESSAGE(raw.code == 0, raw.err);
  BOOST_TEST(ua::adapters::registry::sha256_digest(raw.out) == reg::index_digest("library/traefik", "v3.3.3"));
  // The index names each platform's manifest by the digest the simulator says...
  const std::string arm_digest = reg::platform_digest("library/traefik", "v3.3.3", "linux/arm64");
  std::string listed_arm;
  const auto index = json::parse(raw.out);
  for (const auto& entry : index.as_object().at("manifests").as_array()) {
    if (entry.at("platform").at("architecture").as_string() == "arm64") listed_arm = entry.at("digest").as_string();
  }
  BOOST_TEST(listed_arm == arm_digest);
  // ...and skopeo, picking arm64 out of the index or reading it by digest, reads its config.
  const auto arm = skopeo({"inspect", "--tls-verify=false", "--override-os", "linux", "--override-arch", "arm64",
                           ref + ":v3.3.3"});
  BOOST_REQUIRE_MESSAGE(arm.code == 0, arm.err);
  const auto doc = json::parse(arm.out).as_object();
  BOOST_TEST(doc.at("Architecture").as_string() == "arm64");
  BOOST_TEST(doc.at("Os").as_string() == "linux");
  BOOST_TEST(doc.at("Digest").as_string() == reg::index_digest("library/traefik", "v3.3.3"));  // the tag's
  const auto by_digest = skopeo({"inspect", "--tls-verify=false", ref + "@" + arm_digest});
  BOOST_REQUIRE_MESSAGE(by_digest.code == 0, by_digest.err);
  BOOST_TEST(json::parse(by_digest.out).as_object().at("Architecture").as_string() == "arm64");
  BOOST_TEST(json::parse(by_digest.out).as_object().at("Digest").as_string() == arm_digest);
}

BOOST_AUTO_TEST_CASE(heads_carry_the_digest_and_unknown_names_answer_the_spec_errors) {
  ua::test::RegistryOnThread registry;
  const std::string base = registry.url() + "/v2/library/traefik/manifests/";
  const auto head = curl({"-I", base + "v3.3.3"});
  BOOST_REQUIRE_EQUAL(head.code, 0);
  BOOST_TEST(head.out.find("Docker-Content-Digest: " + reg::index_digest("library/traefik", "v3.3.3")) !=
                 std::string::npos,
             head.out);
  BOOST_TEST(head.out.find("Content-Type: application/vnd.oci.image.index.v1+json") != std::string::npos, head.out);
  const auto missing = curl({base + "v9.9.9"});
  BOOST_TEST(missing.out.find("HTTP/1.1 404") == 0U, missing.out);
  BOOST_TEST(missing.out.find("\"code\":\"MANIFEST_UNKNOWN\"") != std::string::npos, missing.out);
  const auto unknown = curl({registry.url() + "/v2/nobody/nothing/tags/list"});
  BOOST_TEST(unknown.out.find("\"code\":\"NAME_UNKNOWN\"") != std::string::npos, unknown.out);
  const auto ping = curl({registry.url() + "/v2/"});
  BOOST_TEST(ping.out.find("HTTP/1.1 200") == 0U, ping.out);
}

BOOST_AUTO_TEST_CASE(the_agents_client_moves_index_and_platform_pins_against_it) {
  ua::test::RegistryOnThread registry;
  boost::asio::io_context io;
  ua::net::Client http(io.get_executor());
  ua::adapters::registry::Options options;
  options.endpoints = {{"*", registry.url()}};
  ua::adapters::registry::Client client(http, options);
  const auto deadline = ua::core::Clock::now() + std::chrono::seconds(20);

  auto image = ua::core::parse_image_ref("traefik").value();
  image.digest = reg::index_digest("library/traefik", "v3.3.2");
  auto index_pin = ua::test::run_expected(io, ua::adapters::registry::resolve_pin(client, image, "v3.3.3", deadline));
  BOOST_REQUIRE_MESSAGE(index_pin, (index_pin ? "" : index_pin.error().describe()));
  BOOST_TEST(index_pin->digest == reg::index_digest("library/traefik", "v3.3.3"));

  image.digest = reg::platform_digest("library/traefik", "v3.3.2", "linux/arm64");
  auto platform_pin = ua::test::run_expected(io, ua::adapters::registry::resolve_pin(client, image, "v3.3.3", deadline));
  BOOST_REQUIRE_MESSAGE(platform_pin, (platform_pin ? "" : platform_pin.error().describe()));
  BOOST_TEST(platform_pin->digest == reg::platform_digest("library/traefik", "v3.3.3", "linux/arm64"));
  BOOST_TEST(platform_pin->why == "linux/arm64 manifest in v3.3.3's index");

  auto missing = ua::test::run_expected(io, client.digest(image, "v9.9.9", deadline));
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().message == "no tag v9.9.9 in docker.io/library/traefik");
  BOOST_TEST(!registry.requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()
