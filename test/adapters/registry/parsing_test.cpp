// The pure parts: challenges, Link, credentials, endpoints, tokens,
// manifests, pin choice, stop filtering, and the two new settings.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "adapters/registry/base64.hpp"
#include "adapters/registry/run.hpp"
#include "upgrade_agent/adapters/registry/challenge.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
#include "upgrade_agent/adapters/registry/credentials.hpp"
#include "upgrade_agent/adapters/registry/endpoint.hpp"
#include "upgrade_agent/adapters/registry/manifest.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"
#include "upgrade_agent/adapters/registry/stops.hpp"
#include "upgrade_agent/adapters/registry/target.hpp"
#include "upgrade_agent/adapters/registry/token.hpp"
#include "upgrade_agent/config/settings.hpp"

namespace reg = ua::adapters::registry;
using ua::core::ErrorKind;
using namespace std::chrono_literals;

namespace {

ua::core::ImageRef image_ref(const std::string& text) {
  auto r = ua::core::parse_image_ref(text);
  BOOST_REQUIRE_MESSAGE(r, text);
  return *r;
}

ua::ports::Manifest index_of(std::vector<std::pair<std::string, ua::ports::Platform>> entries) {
  ua::ports::Manifest m;
  m.digest = {"sha256:" + std::string(64, 'a'), std::string(ua::ports::kOciIndex), false};
  for (auto& [digest, platform] : entries) {
    m.manifests.push_back({digest, std::string(ua::ports::kOciManifest), 1, platform});
  }
  return m;
}

ua::ports::Manifest single(const std::string& digest) {
  ua::ports::Manifest m;
  m.digest = {digest, std::string(ua::ports::kOciManifest), false};
  m.config_digest = "sha256:" + std::string(64, 'c');
  return m;
}

ua::config::Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parsing)

BOOST_AUTO_TEST_CASE(challenges_several_per_field_bare_values_commas_in_quotes) {
  const auto c = reg::parse_challenges(
      {R"(Basic realm="quay", Bearer realm="https://quay.io/v2/auth",service="quay.io",scope="repository:a/b:pull,push")",
       "Bearer realm=https://gcr.io/v2/token, service=gcr.io , error=insufficient_scope",
       R"(bearer REALM="x\"y")"});
  BOOST_REQUIRE_EQUAL(c.size(), 4U);
  BOOST_TEST(c[0].scheme == "basic");
  BOOST_TEST(c[0].param("realm").value_or("") == "quay");
  BOOST_TEST(c[1].scheme == "bearer");
  BOOST_TEST(c[1].param("scope").value_or("") == "repository:a/b:pull,push");
  BOOST_TEST(c[1].param("service").value_or("") == "quay.io");
  BOOST_TEST(c[2].param("realm").value_or("") == "https://gcr.io/v2/token");
  BOOST_TEST(c[2].param("service").value_or("") == "gcr.io");
  BOOST_TEST(c[2].param("error").value_or("") == "insufficient_scope");
  BOOST_TEST(c[3].param("realm").value_or("") == "x\"y");
  BOOST_TEST(reg::find_challenge(c, "Bearer") == &c[1]);
  // Garbage never crashes and keeps what came before it.
  const auto broken = reg::parse_challenges({R"(Bearer realm="unterminated)", "", ",,,", "Basic"});
  BOOST_REQUIRE_EQUAL(broken.size(), 2U);
  BOOST_TEST(broken[1].scheme == "basic");
}

BOOST_AUTO_TEST_CASE(link_next_is_taken_verbatim) {
  BOOST_TEST(reg::next_link({R"(</v2/x/tags/list?last=a%2Cb&n=100>; rel="next")"}).value_or("") ==
             "/v2/x/tags/list?last=a%2Cb&n=100");
  BOOST_TEST(reg::next_link({R"(<https://h/v2/x/tags/list?p=a,b;c>; rel="prev", <https://h/v2/x/tags/list?p=z;y,x>; rel="next")"})
                 .value_or("") == "https://h/v2/x/tags/list?p=z;y,x");
  BOOST_TEST(reg::next_link({"</a>; rel=\"last\"", "</b>; REL=next"}).value_or("") == "/b");
  BOOST_TEST(!reg::next_link({"</a>; rel=\"last\""}));
  BOOST_TEST(!reg::next_link({}));
}

BOOST_AUTO_TEST_CASE(docker_config_auth_and_username_password_and_key_spellings) {
  const std::string text = R"({"auths":{
    "https://index.docker.io/v1/":{"auth":")" + reg::detail::base64_encode("hub:p:with:colons") + R"("},
    "GHCR.io":{"username":"gh","password":"tok"},
    "http://127.0.0.1:5000/":{"auth":")" + reg::detail::base64_encode("local:pw") + R"("},
    "quay.io":{"identitytoken":"x"}},
    "credsStore":"desktop"})";
  auto creds = reg::parse_docker_config(text, "config.json");
  UA_REQUIRE_OK(creds);
  BOOST_TEST(creds->size() == 3U);
  BOOST_REQUIRE(creds->find("docker.io"));
  BOOST_TEST(creds->find("registry-1.docker.io")->username == "hub");
  BOOST_TEST(creds->find("docker.io")->password.reveal() == "p:with:colons");
  BOOST_TEST(creds->find("ghcr.io")->password.reveal() == "tok");
  BOOST_TEST(creds->find("127.0.0.1:5000")->username == "local");
  BOOST_TEST(!creds->find("quay.io"));
  BOOST_TEST(!creds->find("127.0.0.1:5001"));
}

BOOST_AUTO_TEST_CASE(a_broken_docker_config_says_where_and_never_the_value) {
  const std::string secret = "c2VjcmV0LXZhbHVl!!";  // not base64
  auto bad = reg::parse_docker_config(R"({"auths":{"ghcr.io":{"auth":")" + secret + R"("}}})", "config.json");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().kind == ErrorKind::bad_input);
  BOOST_TEST(bad.error().message.find("config.json:$.auths[\"ghcr.io\"].auth") != std::string::npos);
  BOOST_TEST(bad.error().message.find(secret) == std::string::npos);
  auto no_colon = reg::parse_docker_config(R"({"auths":{"x.io":{"auth":")" + reg::detail::base64_encode("nocolon") + R"("}}})", "c");
  BOOST_REQUIRE(!no_colon);
  BOOST_TEST(no_colon.error().message.find("nocolon") == std::string::npos);
  for (const char* broken : {"[]", "{\"auths\":[]}", "{\"auths\":{\"a\":1}}", "{\"auths\":{\"a\":{\"username\":\"u\"}}}", "{"}) {
    BOOST_TEST(!reg::parse_docker_config(broken, "c"), broken);
  }
  BOOST_TEST(reg::parse_docker_config("{}", "c")->empty());
}

BOOST_AUTO_TEST_CASE(endpoints_docker_hub_loopback_and_insecure_registries) {
  auto hub = reg::endpoint_for(image_ref("nginx:1.27"), {});
  UA_REQUIRE_OK(hub);
  BOOST_TEST(hub->origin == "https://registry-1.docker.io");
  BOOST_TEST(hub->repository == "library/nginx");
  BOOST_TEST(hub->display() == "docker.io/library/nginx");
  BOOST_TEST(reg::endpoint_for(image_ref("localhost:5000/a/b"), {})->origin == "http://localhost:5000");
  BOOST_TEST(reg::endpoint_for(image_ref("127.0.0.2:5000/a/b"), {})->origin == "http://127.0.0.2:5000");
  BOOST_TEST(reg::endpoint_for(image_ref("ghcr.io/a/b"), {})->origin == "https://ghcr.io");
  const std::vector<std::string> insecure{"registry.lan:5000", "10.0.0.7"};
  BOOST_TEST(reg::endpoint_for(image_ref("registry.lan:5000/a"), insecure)->origin == "http://registry.lan:5000");
  BOOST_TEST(reg::endpoint_for(image_ref("registry.lan:5001/a"), insecure)->origin == "https://registry.lan:5001");
  BOOST_TEST(reg::endpoint_for(image_ref("10.0.0.7:443/a"), insecure)->origin == "http://10.0.0.7:443");
  BOOST_TEST(!reg::is_loopback_host("128.0.0.1"));
  BOOST_TEST(reg::repository_in_path("/v2/a/b/manifests/v1") == "a/b");
  BOOST_TEST(reg::repository_in_path("/v2/k8s-artifacts-prod/images/pause/tags/list") == "k8s-artifacts-prod/images/pause");
  BOOST_TEST(reg::repository_in_path("/containers/images/sha256:x").empty());
}

BOOST_AUTO_TEST_CASE(registry_endpoints_send_a_registry_or_every_registry_elsewhere) {
  auto parsed = ua::config::parse_registry_endpoints("Docker.io=https://Mirror.lan, *=http://127.0.0.1:5000");
  UA_REQUIRE_OK(parsed);
  BOOST_REQUIRE_EQUAL(parsed->size(), 2U);
  BOOST_TEST((*parsed)[0].registry == "docker.io");
  BOOST_TEST((*parsed)[0].origin == "https://mirror.lan");
  auto hub = reg::endpoint_for(image_ref("nginx:1.27"), {}, *parsed);
  UA_REQUIRE_OK(hub);
  BOOST_TEST(hub->origin == "https://mirror.lan");
  BOOST_TEST(hub->display() == "docker.io/library/nginx");  // messages keep the image's name
  auto other = reg::endpoint_for(image_ref("ghcr.io/o/app"), {}, *parsed);
  UA_REQUIRE_OK(other);
  BOOST_TEST(other->origin == "http://127.0.0.1:5000");
  BOOST_TEST(other->display() == "ghcr.io/o/app");
  // Plain http elsewhere than loopback only for an insecure registry.
  const std::vector<ua::config::RegistryEndpoint> lan{{"ghcr.io", "http://mirror.lan:5000"}};
  auto refused = reg::endpoint_for(image_ref("ghcr.io/o/app"), {}, lan);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().message.find("plain http only to loopback") != std::string::npos);
  BOOST_TEST(reg::endpoint_for(image_ref("ghcr.io/o/app"), {"mirror.lan"}, lan)->origin == "http://mirror.lan:5000");
  for (const char* bad : {"docker.io", "=https://x", "docker.io=ftp://x", "docker.io=https://x/path",
                          "docker.io=https://u:p@x", "a b=https://x", "x=https://a,x=https://b", "x=https://"}) {
    auto r = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_REGISTRY_ENDPOINTS", bad}}));
    BOOST_TEST(ua::config::has_errors(r.problems), bad);
  }
  auto file_key = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_REGISTRY_ENDPOINTS", "*=http://localhost:1"}}));
  BOOST_TEST(file_key.problems.empty());
  auto options = reg::options_from(file_key.settings);
  UA_REQUIRE_OK(options);
  BOOST_TEST(options->endpoints.at(0).origin == "http://localhost:1");
}

BOOST_AUTO_TEST_CASE(token_answers_lifetime_at_least_60_seconds_from_issued_at) {
  const auto now = std::chrono::system_clock::from_time_t(1776672764);  // 2026-04-20T08:12:44Z
  auto both = reg::parse_token_answer(R"({"token":"a","access_token":"b","expires_in":300,"issued_at":"2026-04-20T08:12:44Z"})", now);
  UA_REQUIRE_OK(both);
  BOOST_TEST(both->token == "a");
  BOOST_TEST((both->expires - now == 300s));
  auto short_life = reg::parse_token_answer(R"({"access_token":"b","expires_in":5})", now);
  BOOST_TEST((short_life->expires - now == 60s));
  auto earlier = reg::parse_token_answer(R"({"token":"a","expires_in":120,"issued_at":"2026-04-20T10:11:44+02:00"})", now);
  BOOST_TEST((earlier->expires - now == 60s));  // issued a minute ago, in another zone
  auto future = reg::parse_token_answer(R"({"token":"a","expires_in":120,"issued_at":"2030-01-01T00:00:00Z"})", now);
  BOOST_TEST((future->expires - now == 120s));  // a clock ahead does not stretch it
  BOOST_TEST(!reg::parse_token_answer(R"({"expires_in":300})", now));
  BOOST_TEST(!reg::parse_token_answer(R"({"token":"a b"})", now));
  BOOST_TEST(!reg::parse_token_answer(R"({"token":"a\r\nX-Injected: 1"})", now));
  BOOST_TEST(!reg::parse_token_answer("not json", now));
  BOOST_TEST(!reg::parse_rfc3339("2026-04-20 08:12:44"));
}

BOOST_AUTO_TEST_CASE(manifests_parse_and_digest_their_exact_bytes) {
  const std::string index =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
      std::string(64, '1') + R"(","size":5,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},)" +
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '2') +
      R"(","size":5,"platform":{"os":"unknown","architecture":"unknown"}}]})";
  auto m = reg::parse_manifest(index, "application/vnd.oci.image.index.v1+json; charset=utf-8");
  UA_REQUIRE_OK(m);
  BOOST_TEST(m->digest.is_index());
  BOOST_TEST(m->digest.digest == reg::sha256_digest(index));
  BOOST_REQUIRE_EQUAL(m->manifests.size(), 2U);
  BOOST_TEST(m->manifests[0].platform->to_string() == "linux/arm64/v8");
  // The attestation entry never matches; arm64 and arm64/v8 are one platform.
  BOOST_TEST(reg::entry_for_platform(*m, {"linux", "arm64", ""})->digest == "sha256:" + std::string(64, '1'));
  BOOST_TEST(!reg::entry_for_platform(*m, {"unknown", "unknown", ""}));
  BOOST_TEST(!reg::entry_for_platform(*m, {"linux", "amd64", ""}));
  BOOST_TEST(reg::sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(!reg::parse_manifest(R"({"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})", ""));
  BOOST_TEST(!reg::parse_manifest(R"({"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})",
                                  "application/vnd.oci.image.manifest.v1+json"));
  BOOST_TEST(!reg::parse_manifest(R"({"manifests":[{"digest":"sha256:short"}]})", ""));
  BOOST_TEST(reg::parse_config_platform(R"({"architecture":"amd64","os":"linux"})")->to_string() == "linux/amd64");
  BOOST_TEST(!reg::parse_config_platform(R"({"os":"linux"})"));
}

BOOST_AUTO_TEST_CASE(pin_choice_keeps_the_kind_of_the_old_pin) {
  const ua::ports::Platform arm{"linux", "arm64", "v8"};
  const ua::ports::Platform amd{"linux", "amd64", ""};
  const auto old_index = index_of({{"sha256:" + std::string(64, '1'), amd}});
  auto new_index = index_of({{"sha256:" + std::string(64, '3'), amd}, {"sha256:" + std::string(64, '4'), arm}});
  new_index.digest.digest = "sha256:" + std::string(64, 'b');

  auto to_index = reg::choose_pin(old_index, std::nullopt, new_index, "v1.2.0");
  UA_REQUIRE_OK(to_index);
  BOOST_TEST(to_index->kind == reg::PinKind::index);
  BOOST_TEST(to_index->digest == "sha256:" + std::string(64, 'b'));

  auto to_platform = reg::choose_pin(single("sha256:" + std::string(64, '9')), arm, new_index, "v1.2.0");
  UA_REQUIRE_OK(to_platform);
  BOOST_TEST(to_platform->kind == reg::PinKind::platform_manifest);
  BOOST_TEST(to_platform->digest == "sha256:" + std::string(64, '4'));

  auto lost = reg::choose_pin(single("sha256:" + std::string(64, '9')), ua::ports::Platform{"linux", "s390x", ""}, new_index, "v1.2.0");
  BOOST_REQUIRE(!lost);
  BOOST_TEST(lost.error().kind == ErrorKind::refused);
  BOOST_TEST(lost.error().message.find("linux/s390x") != std::string::npos);
  auto narrowed = reg::choose_pin(old_index, std::nullopt, single("sha256:" + std::string(64, '5')), "v2.0.0");
  BOOST_REQUIRE(!narrowed);
  BOOST_TEST(narrowed.error().kind == ErrorKind::refused);
}

BOOST_AUTO_TEST_CASE(stops_only_at_releases_published_as_tags_in_the_targets_spelling) {
  std::vector<ua::core::Stop> stops{{"v1.5.0", "v1.5.0-alpine", {"breaking"}},
                                    {"v2.0.0", "v2.0.0-alpine", {"opens major 2"}},
                                    {"v2.1.0", "v2.1.0-alpine", {"target"}}};
  ua::ports::TagList tags;
  tags.repository = "docker.io/library/app";
  tags.tags = {"v1.5.0", "v2.0.0-alpine"};  // v1.5.0 exists, but not as -alpine
  const auto checked = reg::keep_published_stops(stops, tags);
  BOOST_REQUIRE_EQUAL(checked.kept.size(), 2U);
  BOOST_TEST(checked.kept[0].image_tag == "v2.0.0-alpine");
  BOOST_TEST(checked.kept[1].image_tag == "v2.1.0-alpine");  // the target stays: checked on its own
  BOOST_REQUIRE_EQUAL(checked.skipped.size(), 1U);
  BOOST_TEST(checked.skipped[0].reason ==
             "no tag v1.5.0-alpine in docker.io/library/app: release v1.5.0 was not published as an image; skipped");
}

BOOST_AUTO_TEST_CASE(settings_registry_auth_file_defaults_and_insecure_registries) {
  const auto dir = std::filesystem::temp_directory_path() / ("ua-registry-settings-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "home" / ".docker");
  std::filesystem::create_directories(dir / "dc");
  std::ofstream(dir / "home" / ".docker" / "config.json") << "{}";
  std::ofstream(dir / "dc" / "config.json") << "{}";
  const std::string home = (dir / "home").string();

  auto from_home = ua::config::load_settings(std::nullopt, env_of({{"HOME", home}}));
  BOOST_TEST(from_home.problems.empty());
  BOOST_TEST(from_home.settings.registry_auth_file.value_or("") == dir / "home" / ".docker" / "config.json");
  auto from_docker_config = ua::config::load_settings(std::nullopt, env_of({{"HOME", home}, {"DOCKER_CONFIG", (dir / "dc").string()}}));
  BOOST_TEST(from_docker_config.settings.registry_auth_file.value_or("") == dir / "dc" / "config.json");
  auto none = ua::config::load_settings(std::nullopt, env_of({{"HOME", (dir / "nowhere").string()}}));
  BOOST_TEST(!none.settings.registry_auth_file);
  auto off = ua::config::load_settings(std::nullopt, env_of({{"HOME", home}, {"UPGRADE_AGENT_REGISTRY_AUTH_FILE", ""}}));
  BOOST_TEST(!off.settings.registry_auth_file);
  auto missing = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_REGISTRY_AUTH_FILE", (dir / "no.json").string()}}));
  BOOST_REQUIRE_EQUAL(missing.problems.size(), 1U);
  BOOST_TEST(missing.problems[0].where == "UPGRADE_AGENT_REGISTRY_AUTH_FILE");

  auto insecure = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_INSECURE_REGISTRIES", "Registry.LAN:5000, 10.0.0.7,[fd00::1]:5000"}}));
  BOOST_TEST(insecure.problems.empty());
  const std::vector<std::string> expected{"registry.lan:5000", "10.0.0.7", "[fd00::1]:5000"};
  BOOST_TEST(insecure.settings.insecure_registries == expected, boost::test_tools::per_element());
  for (const char* bad : {"http://x:5000", "x:0", "x:", "a b", "x:99999"}) {
    auto r = ua::config::load_settings(std::nullopt, env_of({{"UPGRADE_AGENT_INSECURE_REGISTRIES", bad}}));
    BOOST_TEST(ua::config::has_errors(r.problems), bad);
  }
  // The file keys too, checked the same way.
  std::ofstream(dir / "settings.json") << R"({"insecure_registries":"ok.lan","registry_auth_file":")" << (dir / "dc" / "config.json").string() << "\"}";
  auto file = ua::config::load_settings(dir / "settings.json", env_of({}));
  BOOST_TEST(file.problems.empty());
  BOOST_TEST(file.settings.insecure_registries.at(0) == "ok.lan");
  auto options = reg::options_from(file.settings);
  UA_REQUIRE_OK(options);
  BOOST_TEST(options->insecure_registries.at(0) == "ok.lan");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(what_it_changes)

BOOST_AUTO_TEST_CASE(a_missing_target_refuses_an_unreachable_registry_does_not) {
  const auto make = [](ErrorKind kind, const std::string& message) {
    return ua::core::Expected<ua::ports::Digest>(ua::core::make_error(kind, message, "registry"));
  };
  const auto missing = reg::classify_target(make(ErrorKind::not_found, "no tag v9.9.9 in ghcr.io/o/app"));
  BOOST_TEST(static_cast<int>(missing.state) == static_cast<int>(reg::TargetState::missing));
  BOOST_TEST(missing.note == "no tag v9.9.9 in ghcr.io/o/app");
  for (auto kind : {ErrorKind::unavailable, ErrorKind::timeout}) {
    const auto unchecked = reg::classify_target(make(kind, "ghcr.io: connection refused"));
    BOOST_TEST(static_cast<int>(unchecked.state) == static_cast<int>(reg::TargetState::unchecked));
    BOOST_TEST(unchecked.note == "the tag's existence could not be checked (ghcr.io: connection refused)");
  }
  BOOST_TEST(static_cast<int>(reg::classify_target(make(ErrorKind::cancelled, "x")).state) ==
             static_cast<int>(reg::TargetState::cancelled));
  const ua::ports::Digest d{"sha256:" + std::string(64, 'e'), std::string(ua::ports::kOciIndex), false};
  const auto exists = reg::classify_target(ua::core::Expected<ua::ports::Digest>(d));
  BOOST_TEST(static_cast<int>(exists.state) == static_cast<int>(reg::TargetState::exists));
  BOOST_TEST(exists.digest->digest == d.digest);
}

BOOST_AUTO_TEST_CASE(pinned_text_moves_tag_and_digest_together) {
  const std::string old_digest = "sha256:" + std::string(64, '0');
  const std::string new_digest = "sha256:" + std::string(64, 'f');
  auto moved = reg::moved_pin_text("v1.0.0@" + old_digest, "v1.0.0", "v1.2.0", new_digest);
  UA_REQUIRE_OK(moved);
  BOOST_TEST(*moved == "v1.2.0@" + new_digest);
  BOOST_TEST(!reg::moved_pin_text("v1.0.1@" + old_digest, "v1.0.0", "v1.2.0", new_digest));
  BOOST_TEST(!reg::moved_pin_text("v1.0.0", "v1.0.0", "v1.2.0", new_digest));
  BOOST_TEST(!reg::moved_pin_text("v1.0.0@sha256:abc", "v1.0.0", "v1.2.0", new_digest));
  BOOST_TEST(!reg::moved_pin_text("v1.0.0@" + old_digest, "v1.0.0", "v1.2.0", "sha256:short"));
  BOOST_TEST(!reg::moved_pin_text("v1.0.0@" + old_digest, "v1.0.0", "bad tag", new_digest));
}

BOOST_AUTO_TEST_CASE(running_image_ids_give_their_registry_digest) {
  const std::string d = "sha256:" + std::string(64, 'a');
  BOOST_TEST(reg::image_id_digest("ghcr.io/o/app@" + d).value_or("") == d);
  BOOST_TEST(reg::image_id_digest("docker-pullable://nginx@" + d).value_or("") == d);
  BOOST_TEST(!reg::image_id_digest(d));  // a local image id, not what was pulled
  BOOST_TEST(!reg::image_id_digest(""));
}

BOOST_AUTO_TEST_SUITE_END()
