// The client against the reference registry (docker-registry 2.8.2): images
// built with umoci, pushed with skopeo, digests compared with skopeo's.
#include <boost/test/unit_test.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "adapters/registry/jwt.hpp"
#include "adapters/registry/real_world.hpp"
#include "adapters/registry/run.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"
#include "upgrade_agent/net/server.hpp"

namespace asio = boost::asio;
namespace reg = ua::adapters::registry;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::test::RealWorld;
using ua::test::run;

namespace {

ua::core::ImageRef image_ref(const std::string& text) {
  auto r = ua::core::parse_image_ref(text);
  BOOST_REQUIRE_MESSAGE(r, text);
  return *r;
}

struct Fixture {
  RealWorld& world = RealWorld::get();
  asio::io_context io;
  ua::net::Client http{io.get_executor()};

  reg::Options options(bool with_credentials = true) {
    reg::Options o;
    if (with_credentials) o.credentials = reg::load_docker_config(world.authfile).value();
    return o;
  }
  ua::core::Deadline soon() { return ua::core::Clock::now() + 20s; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(real_registry, Fixture)

BOOST_AUTO_TEST_CASE(basic_auth_digest_is_skopeos_for_an_index_and_a_single_manifest) {
  reg::Client client(http, options());
  for (const std::string tag : {"team/app:v1.0.0", "team/app:v2.0.0", "team/app:v3.0.0"}) {
    const auto expected = world.images.at(tag);
    auto image = image_ref(world.image(tag));
    auto got = run(io, client.digest(image, *image.tag, soon()));
    UA_REQUIRE_OK(got);
    BOOST_TEST(got->digest == expected.digest);
    BOOST_TEST(got->media_type == expected.media_type);
    BOOST_TEST(!got->computed);  // the reference registry sends Docker-Content-Digest
  }
  BOOST_TEST(client.stats().pings == 1U);  // one challenge per origin
  BOOST_TEST(client.stats().gets_of_manifests == 0U);  // HEAD only
}

BOOST_AUTO_TEST_CASE(the_real_registry_answers_one_platform_to_a_short_accept_and_the_client_still_gets_the_list) {
  // The trap, shown on the real server: without the list type in Accept,
  // distribution rewrites the Docker manifest list to its linux/amd64 manifest.
  const auto expected = world.images.at("team/app:v3.0.0");
  BOOST_REQUIRE_EQUAL(expected.media_type, "application/vnd.docker.distribution.manifest.list.v2+json");
  ua::net::Request head;
  head.method = "HEAD";
  head.url = "http://" + world.basic->host() + "/v2/team/app/manifests/v3.0.0";
  head.headers.set("Accept", "application/vnd.docker.distribution.manifest.v2+json");
  head.headers.set("Authorization", "Basic " + reg::detail::base64_encode(world.user + ":" + world.password));
  auto short_accept = ua::test::run(io, http.request(head));
  BOOST_REQUIRE(short_accept);
  BOOST_REQUIRE_EQUAL(short_accept->status, 200);
  BOOST_TEST(*short_accept->header("Docker-Content-Digest") == expected.by_arch.at("amd64"));

  reg::Client client(http, options());
  auto image = image_ref(world.image("team/app:v3.0.0"));
  auto got = run(io, client.digest(image, "v3.0.0", soon()));
  BOOST_REQUIRE(got);
  BOOST_TEST(got->digest == expected.digest);
  BOOST_TEST(got->is_index());
}

BOOST_AUTO_TEST_CASE(tags_of_the_repository_and_unknown_tags_and_repositories) {
  reg::Client client(http, options());
  auto image = image_ref(world.image("team/app:v1.0.0"));
  auto tags = run(io, client.tags(image, soon()));
  UA_REQUIRE_OK(tags);
  const std::vector<std::string> expected{"v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0", "v3.0.0"};
  BOOST_TEST(tags->tags == expected, boost::test_tools::per_element());
  BOOST_TEST(tags->repository == world.basic->host() + "/team/app");

  auto missing = run(io, client.digest(image, "v9.9.9", soon()));
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().kind == ErrorKind::not_found);
  BOOST_TEST(missing.error().message == "no tag v9.9.9 in " + world.basic->host() + "/team/app");
  BOOST_TEST(missing.error().system == "registry");

  auto nothing = run(io, client.tags(image_ref(world.image("team/nothing:v1")), soon()));
  BOOST_REQUIRE(!nothing);
  BOOST_TEST(nothing.error().kind == ErrorKind::not_found);
  BOOST_TEST(nothing.error().message.find("NAME_UNKNOWN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_credentials_are_refused_without_showing_the_password) {
  std::ostringstream logs;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  spdlog::set_level(spdlog::level::trace);

  const std::string wrong = "wrong-" + world.password;
  reg::Options o;
  o.credentials.add(world.basic->host(), reg::Credential{world.user, ua::config::Secret(wrong)});
  reg::Client client(http, o);
  auto image = image_ref(world.image("team/app:v1.0.0"));
  auto refused = run(io, client.digest(image, "v1.0.0", soon()));
  reg::Client anonymous(http, options(false));
  auto no_credentials = run(io, anonymous.digest(image, "v1.0.0", soon()));
  spdlog::set_default_logger(previous);

  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().kind == ErrorKind::unavailable);
  BOOST_TEST(refused.error().message.find("refused the credentials for " + world.basic->host()) != std::string::npos);
  BOOST_REQUIRE(!no_credentials);
  BOOST_TEST(no_credentials.error().message.find("UPGRADE_AGENT_REGISTRY_AUTH_FILE") != std::string::npos);
  const std::string encoded = reg::detail::base64_encode(world.user + ":" + wrong);
  const std::vector<std::string> texts{refused.error().describe(), no_credentials.error().describe(), logs.str()};
  for (const auto& text : texts) {
    BOOST_TEST(text.find(wrong) == std::string::npos);
    BOOST_TEST(text.find(encoded) == std::string::npos);
  }
  BOOST_TEST(logs.str().find("/v2/team/app/manifests/v1.0.0") != std::string::npos);  // the log did see the requests
}

BOOST_AUTO_TEST_CASE(index_entries_and_the_platform_of_a_manifest) {
  reg::Client client(http, options());
  const auto expected = world.images.at("team/app:v1.0.0");
  auto image = image_ref(world.image("team/app:v1.0.0"));
  auto index = run(io, client.manifest(image, "v1.0.0", soon()));
  BOOST_REQUIRE(index);
  BOOST_TEST(index->digest.digest == expected.digest);
  BOOST_REQUIRE_EQUAL(index->manifests.size(), 2U);
  auto platform = run(io, client.platform(image, expected.by_arch.at("arm64"), soon()));
  UA_REQUIRE_OK(platform);
  BOOST_TEST(platform->to_string() == "linux/arm64");
  auto of_index = run(io, client.platform(image, expected.digest, soon()));
  BOOST_REQUIRE(!of_index);
  BOOST_TEST(of_index.error().kind == ErrorKind::bad_input);
}

BOOST_AUTO_TEST_CASE(pins_move_index_to_index_and_platform_to_the_same_platform) {
  reg::Client client(http, options());
  const auto v1 = world.images.at("team/app:v1.0.0");
  const auto v12 = world.images.at("team/app:v1.2.0");

  auto index_pin = image_ref(world.image("team/app:v1.0.0") + "@" + v1.digest);
  auto moved = run(io, reg::resolve_pin(client, index_pin, "v1.2.0", soon()));
  UA_REQUIRE_OK(moved);
  BOOST_TEST(moved->kind == reg::PinKind::index);
  BOOST_TEST(moved->digest == v12.digest);
  BOOST_TEST(client.stats().gets_of_manifests == 0U);  // two HEADs

  auto arm_pin = image_ref(world.image("team/app:v1.0.0") + "@" + v1.by_arch.at("arm64"));
  auto arm = run(io, reg::resolve_pin(client, arm_pin, "v1.2.0", soon()));
  UA_REQUIRE_OK(arm);
  BOOST_TEST(arm->kind == reg::PinKind::platform_manifest);
  BOOST_TEST(arm->digest == v12.by_arch.at("arm64"));
  BOOST_TEST(arm->digest != v1.by_arch.at("arm64"));
  BOOST_TEST(arm->why == "linux/arm64 manifest in v1.2.0's index");

  // An index pin cannot become a single manifest; an arm64 pin cannot become amd64.
  auto to_single = run(io, reg::resolve_pin(client, index_pin, "v2.0.0", soon()));
  BOOST_REQUIRE(!to_single);
  BOOST_TEST(to_single.error().kind == ErrorKind::refused);
  auto to_amd = run(io, reg::resolve_pin(client, arm_pin, "v2.0.0", soon()));
  BOOST_REQUIRE(!to_amd);
  BOOST_TEST(to_amd.error().message.find("linux/amd64") != std::string::npos);

  // Single arm64 manifests on both sides: the new tag's manifest.
  const auto arm_only = world.images.at("team/arm-only:v1.2.0");
  auto single_pin = image_ref(world.image("team/arm-only:v1.1.0") + "@" + world.images.at("team/arm-only:v1.1.0").digest);
  auto single = run(io, reg::resolve_pin(client, single_pin, "v1.2.0", soon()));
  UA_REQUIRE_OK(single);
  BOOST_TEST(single->kind == reg::PinKind::single_manifest);
  BOOST_TEST(single->digest == arm_only.digest);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A token service for distribution's `auth.token`: checks alice's Basic
// credentials, signs ES256 JWTs with a certificate from make_test_pki whose
// CA is the registry's rootcertbundle.
struct TokenService {
  std::unique_ptr<ua::net::Server> server;
  std::unique_ptr<ua::test::JwtSigner> signer;
  std::vector<std::string> scopes;  // every scope asked for
  unsigned grant_nothing = 0;       // this many first tokens grant no access (insufficient_scope)
  std::string user, password;

  TokenService(asio::io_context& io, const std::string& u, const std::string& p) : user(u), password(p) {
    auto pki = ua::net::make_test_pki({"token-signer"});
    BOOST_REQUIRE(pki);
    ca_pem = pki->ca_pem;
    signer = std::make_unique<ua::test::JwtSigner>(pki->server.private_key_pem, pki->server.certificate_chain_pem);
    ua::net::Router router;
    router.add("GET", "/token", [this](const ua::net::ServerRequest& req) { return answer(req); });
    server = std::make_unique<ua::net::Server>(io.get_executor(), std::move(router));
    BOOST_REQUIRE(server->start());
  }
  ~TokenService() { server->stop(); }

  std::string ca_pem;

  ua::net::ServerResponse answer(const ua::net::ServerRequest& req) {
    const std::string expected = "Basic " + ua::adapters::registry::detail::base64_encode(user + ":" + password);
    if (req.header("Authorization") != expected) return ua::net::ServerResponse::json(401, R"({"details":"bad credentials"})");
    const std::string scope = req.query_param("scope").value_or("");
    scopes.push_back(scope);
    // scope = repository:<name>:<actions>
    const auto first = scope.find(':');
    const auto last = scope.rfind(':');
    boost::json::array access;
    if (grant_nothing > 0) {
      --grant_nothing;
    } else if (first != std::string::npos && last > first) {
      boost::json::array actions;
      actions.emplace_back("pull");
      access.push_back(boost::json::object{
          {"type", "repository"}, {"name", scope.substr(first + 1, last - first - 1)}, {"actions", actions}});
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    boost::json::object claims{{"iss", "test-issuer"}, {"sub", user}, {"aud", req.query_param("service").value_or("")},
                               {"exp", now + 300}, {"nbf", now - 10}, {"iat", now}, {"jti", std::to_string(scopes.size())},
                               {"access", access}};
    const std::string token = signer->sign(boost::json::serialize(claims));
    return ua::net::ServerResponse::json(200, R"({"token":")" + token + R"(","expires_in":300})");
  }
};

struct TokenFixture : Fixture {
  TokenService tokens{io, world.user, world.password};
  std::unique_ptr<ua::test::RealRegistry> registry;

  TokenFixture() {
    ua::test::spit(world.dir / "token-ca.pem", tokens.ca_pem);
    registry = std::make_unique<ua::test::RealRegistry>(
        world.dir, "token-" + std::to_string(tokens.server->port()), world.storage,
        "  token:\n    realm: " + tokens.server->url() + "/token\n    service: test-registry\n    issuer: test-issuer\n"
        "    rootcertbundle: " + (world.dir / "token-ca.pem").string() + "\n");
  }

  reg::Options token_options() {
    reg::Options o;
    o.credentials.add(registry->host(), reg::Credential{world.user, ua::config::Secret(world.password)});
    return o;
  }
  ua::core::ImageRef on_token_registry(const std::string& name_and_tag) { return image_ref(registry->host() + "/" + name_and_tag); }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(real_registry_token_auth, TokenFixture)

BOOST_AUTO_TEST_CASE(bearer_tokens_from_the_realm_one_per_scope) {
  reg::Client client(http, token_options());
  auto app = on_token_registry("team/app:v1.0.0");
  auto first = run(io, client.digest(app, "v1.0.0", soon()));
  UA_REQUIRE_OK(first);
  BOOST_TEST(first->digest == world.images.at("team/app:v1.0.0").digest);
  auto second = run(io, client.digest(app, "v1.2.0", soon()));
  BOOST_REQUIRE(second);
  BOOST_TEST(second->digest == world.images.at("team/app:v1.2.0").digest);
  auto tags = run(io, client.tags(app, soon()));
  BOOST_REQUIRE(tags);
  BOOST_TEST(tags->contains("v3.0.0"));
  BOOST_TEST(client.stats().token_requests == 1U);  // one scope, one token

  auto other = run(io, client.digest(on_token_registry("team/arm-only:v1.1.0"), "v1.1.0", soon()));
  BOOST_REQUIRE(other);
  BOOST_TEST(client.stats().token_requests == 2U);
  const std::vector<std::string> scopes{"repository:team/app:pull", "repository:team/arm-only:pull"};
  BOOST_TEST(tokens.scopes == scopes, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_token_granting_too_little_is_asked_again_once) {
  tokens.grant_nothing = 1;
  reg::Client client(http, token_options());
  auto got = run(io, client.digest(on_token_registry("team/app:v1.1.0"), "v1.1.0", soon()));
  UA_REQUIRE_OK(got);
  BOOST_TEST(got->digest == world.images.at("team/app:v1.1.0").digest);
  BOOST_TEST(client.stats().token_requests == 2U);

  tokens.grant_nothing = 5;
  reg::Client stubborn(http, token_options());
  auto refused = run(io, stubborn.digest(on_token_registry("team/app:v1.1.0"), "v1.1.0", soon()));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().message.find("insufficient_scope") != std::string::npos);
  BOOST_TEST(stubborn.stats().token_requests == 2U);  // one retry, not a loop
}

BOOST_AUTO_TEST_CASE(the_token_service_refuses_a_wrong_password_and_it_is_never_shown) {
  reg::Options o;
  const std::string wrong = "not-" + world.password;
  o.credentials.add(registry->host(), reg::Credential{world.user, ua::config::Secret(wrong)});
  reg::Client client(http, o);
  auto refused = run(io, client.digest(on_token_registry("team/app:v1.0.0"), "v1.0.0", soon()));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().kind == ErrorKind::unavailable);
  BOOST_TEST(refused.error().message.find("token service") != std::string::npos);
  BOOST_TEST(refused.error().describe().find(wrong) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
