// The client against a fake registry for what the reference registry never
// does: pages with opaque Link tokens, odd challenges, a missing
// Docker-Content-Digest, the short-Accept trap, realms and redirects on other
// hosts, rate limits, Docker Hub's names over TLS.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/test/unit_test.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <sstream>

#include "adapters/registry/base64.hpp"
#include "adapters/registry/fake_registry.hpp"
#include "adapters/registry/run.hpp"
#include "upgrade_agent/adapters/registry/client.hpp"
#include "upgrade_agent/adapters/registry/manifest.hpp"

namespace asio = boost::asio;
namespace reg = ua::adapters::registry;
namespace net = ua::net;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::test::challenge;
using ua::test::FakeServer;
using ua::test::run;
using ua::test::with_header;

namespace {

const std::string kIndex =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
    R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":100,"platform":{"architecture":"amd64","os":"linux"}},)"
    R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","size":100,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]})";
const std::string kPlatformManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333","size":10},"layers":[]})";

net::ServerResponse manifest_response(const net::ServerRequest& /*req*/, const std::string& body, const std::string& type,
                                      bool digest_header = true) {
  net::ServerResponse r;
  r.status = 200;
  r.headers.add("Content-Type", type);
  if (digest_header) r.headers.add("Docker-Content-Digest", reg::sha256_digest(body));
  r.body = body;  // for HEAD too: net::Server sends its Content-Length and drops the bytes
  return r;
}

ua::core::ImageRef image_ref(const std::string& text) {
  auto r = ua::core::parse_image_ref(text);
  BOOST_REQUIRE_MESSAGE(r, text);
  return *r;
}

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Fixture {
  asio::io_context io;
  net::ClientOptions client_options = [] {
    net::ClientOptions o;
    o.backoff_initial = 10ms;
    o.backoff_max = 50ms;
    return o;
  }();
  std::unique_ptr<net::Client> http = std::make_unique<net::Client>(io.get_executor(), client_options);

  ua::core::Deadline soon(std::chrono::milliseconds budget = 20s) { return ua::core::Clock::now() + budget; }

  void use_client_options(net::ClientOptions o) {
    client_options = std::move(o);
    http = std::make_unique<net::Client>(io.get_executor(), client_options);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fake_registry, Fixture)

BOOST_AUTO_TEST_CASE(tag_pages_follow_link_verbatim_relative_then_absolute_and_order_means_nothing) {
  FakeServer fake(io);
  const std::string opaque = "/v2/team/app/tags/list?next_page=gAAAAABk%2Fz9;a,b%3D%3D&n=2";
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.path == "/v2/") return net::ServerResponse::json(200, "{}");
    if (req.target == "/v2/team/app/tags/list") {
      // A relative reference holding ';' and ',' inside the brackets.
      return with_header(net::ServerResponse::json(200, R"({"name":"team/app","tags":["v1.10.0","v1.2.0"]})"), "Link",
                         "<" + opaque + ">; rel=\"next\"");
    }
    if (req.target == opaque) {
      return with_header(net::ServerResponse::json(200, R"({"name":"team/app","tags":["v1.2.0","v0.9.0","bad tag!"]})"),
                         "Link", "<" + fake.url() + "/v2/team/app/tags/list?last=zzz>; rel=\"next\"");
    }
    if (req.target == "/v2/team/app/tags/list?last=zzz") {
      return net::ServerResponse::json(200, R"({"name":"team/app","tags":["v2.0.0"]})");
    }
    return net::ServerResponse::json(404, R"({"errors":[{"code":"NAME_UNKNOWN"}]})");
  };
  reg::Client client(*http, {});
  auto tags = run(io, client.tags(image_ref(fake.host() + "/team/app"), soon()));
  UA_REQUIRE_OK(tags);
  const std::vector<std::string> expected{"v0.9.0", "v1.10.0", "v1.2.0", "v2.0.0"};
  BOOST_TEST(tags->tags == expected, boost::test_tools::per_element());
  BOOST_TEST(tags->pages == 3U);
  BOOST_TEST(tags->ignored == 1U);
  BOOST_REQUIRE_EQUAL(fake.requests("/v2/team").size(), 3U);
  BOOST_TEST(fake.requests("/v2/team")[1].target == opaque);  // not re-encoded, not rebuilt from `last`
}

BOOST_AUTO_TEST_CASE(a_tag_list_longer_than_the_cap_or_looping_is_an_error_not_a_partial_answer) {
  FakeServer fake(io);
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.path == "/v2/") return net::ServerResponse::json(200, "{}");
    const std::string page = req.query_param("p").value_or("0");
    const std::string next = req.path == "/v2/loop/tags/list" ? "0" : std::to_string(std::stoi(page) + 1);
    return with_header(net::ServerResponse::json(200, R"({"tags":["t)" + page + R"("]})"), "Link",
                       "<" + req.path + "?p=" + next + ">; rel=\"next\"");
  };
  reg::Options o;
  o.max_tag_pages = 5;
  reg::Client client(*http, o);
  auto capped = run(io, client.tags(image_ref(fake.host() + "/many/tags"), soon()));
  BOOST_REQUIRE(!capped);
  BOOST_TEST(capped.error().kind == ErrorKind::unavailable);
  BOOST_TEST(capped.error().message.find("more than 5 pages of tags") != std::string::npos);
  BOOST_TEST(fake.requests("/v2/many").size() == 5U);
  auto loop = run(io, client.tags(image_ref(fake.host() + "/loop"), soon()));
  BOOST_REQUIRE(!loop);
  BOOST_TEST(loop.error().message.find("already read") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_challenges_in_one_header_unquoted_values_and_an_opaque_access_token) {
  FakeServer auth(io);
  FakeServer fake(io);
  const std::string token = "op/aque+tok~en==";
  auth.handle = [&](const net::ServerRequest&) {
    return net::ServerResponse::json(200, R"({"access_token":")" + token + R"(","expires_in":300})");
  };
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.header("Authorization") != "Bearer " + token) {
      return challenge("Basic realm=\"fake\", Bearer realm=\"" + auth.url() + "/v2/auth\",service=fake.io");
    }
    return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
  };
  reg::Client client(*http, {});
  auto d = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon()));
  UA_REQUIRE_OK(d);
  BOOST_TEST(d->digest == reg::sha256_digest(kIndex));
  BOOST_REQUIRE_EQUAL(auth.seen.size(), 1U);
  BOOST_TEST(auth.seen[0].query_param("service").value_or("") == "fake.io");
  BOOST_TEST(auth.seen[0].query_param("scope").value_or("") == "repository:team/app:pull");
  BOOST_TEST(!auth.seen[0].header("Authorization"));  // anonymous: no credentials for this host
}

BOOST_AUTO_TEST_CASE(without_docker_content_digest_the_digest_is_the_sha256_of_the_exact_bytes) {
  FakeServer fake(io);
  // Odd but valid bytes: white space and key order a re-serialisation would change.
  const std::string body = "{ \"schemaVersion\" : 2,\n  \"manifests\": [], \"mediaType\":\"application/vnd.oci.image.index.v1+json\" }\n";
  bool lie = false;
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.path == "/v2/") return net::ServerResponse::json(200, "{}");
    auto r = manifest_response(req, body, "application/vnd.oci.image.index.v1+json", false);
    if (lie && req.method == "GET") r.headers.add("Docker-Content-Digest", reg::sha256_digest("other"));
    return r;
  };
  reg::Client client(*http, {});
  auto d = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon()));
  UA_REQUIRE_OK(d);
  BOOST_TEST(d->digest == reg::sha256_digest(body));
  BOOST_TEST(d->computed);
  BOOST_TEST(d->is_index());
  BOOST_REQUIRE_EQUAL(fake.requests("/v2/team").size(), 2U);
  BOOST_TEST(fake.requests("/v2/team")[0].method == "HEAD");
  BOOST_TEST(fake.requests("/v2/team")[1].method == "GET");
  BOOST_TEST(client.stats().gets_of_manifests == 1U);

  lie = true;  // a header that does not match the bytes is an error, not a choice
  auto mismatch = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon()));
  BOOST_REQUIRE(!mismatch);
  BOOST_TEST(mismatch.error().message.find("is not the sha256 of the manifest served") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_short_accept_trap_the_client_always_gets_the_index) {
  FakeServer fake(io);
  // Like real registries: without an index type in Accept, answer the
  // linux/amd64 manifest and its digest instead of the index.
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.path == "/v2/") return net::ServerResponse::json(200, "{}");
    const std::string accept = req.header("Accept").value_or("");
    if (accept.find("application/vnd.oci.image.index.v1+json") != std::string::npos) {
      return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
    }
    return manifest_response(req, kPlatformManifest, "application/vnd.oci.image.manifest.v1+json");
  };
  reg::Client client(*http, {});
  auto image = image_ref(fake.host() + "/team/app:v1");
  auto head = run(io, client.digest(image, "v1", soon()));
  auto get = run(io, client.manifest(image, "v1", soon()));
  UA_REQUIRE_OK(head);
  UA_REQUIRE_OK(get);
  BOOST_TEST(head->digest == reg::sha256_digest(kIndex));
  BOOST_TEST(head->digest != reg::sha256_digest(kPlatformManifest));
  BOOST_TEST(get->digest.digest == head->digest);
  BOOST_TEST(get->manifests.size() == 2U);
  for (const auto& r : fake.requests("/v2/team")) {
    const std::string accept = r.header("Accept").value_or("");
    for (const char* type : {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
                             "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"}) {
      BOOST_TEST(accept.find(type) != std::string::npos, r.method << " Accept lacks " << type);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_realm_on_another_host_gets_the_registrys_credentials_and_tokens_are_cached_per_scope) {
  FakeServer auth(io);  // another port: another origin, as lscr.io's realm is ghcr.io
  FakeServer fake(io);
  const std::string password = "fake-pass-77&x";
  unsigned issued = 0;
  std::string issued_at = iso_utc(std::chrono::system_clock::now());
  int expires_in = 10;  // under 60: counts as 60
  auth.handle = [&](const net::ServerRequest& req) {
    ++issued;
    const std::string scope = req.query_param("scope").value_or("");
    return net::ServerResponse::json(200, R"({"token":"tok-)" + std::to_string(issued) + R"(","issued_at":")" + issued_at +
                                              R"(","expires_in":)" + std::to_string(expires_in) + "}");
  };
  fake.handle = [&](const net::ServerRequest& req) {
    const auto a = req.header("Authorization").value_or("");
    if (a.rfind("Bearer tok-", 0) != 0) {
      return challenge("Bearer realm=\"" + auth.url() + "/token\",service=\"fake\"");
    }
    return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
  };
  reg::Options o;
  o.credentials.add(fake.host(), reg::Credential{"bob", ua::config::Secret(password)});
  reg::Client client(*http, o);
  auto app = image_ref(fake.host() + "/team/app:v1");
  UA_REQUIRE_OK(run(io, client.digest(app, "v1", soon())));
  UA_REQUIRE_OK(run(io, client.digest(app, "v2", soon())));
  BOOST_TEST(issued == 1U);
  BOOST_TEST(auth.seen[0].header("Authorization").value_or("") ==
             "Basic " + reg::detail::base64_encode("bob:" + password));
  UA_REQUIRE_OK(run(io, client.digest(image_ref(fake.host() + "/team/db:v1"), "v1", soon())));
  BOOST_TEST(issued == 2U);  // another repository, another scope

  // issued an hour ago for 300 s: already over, so every call asks again.
  issued_at = iso_utc(std::chrono::system_clock::now() - 1h);
  expires_in = 300;
  reg::Client stale(*http, o);
  UA_REQUIRE_OK(run(io, stale.digest(app, "v1", soon())));
  UA_REQUIRE_OK(run(io, stale.digest(app, "v1", soon())));
  BOOST_TEST(stale.stats().token_requests == 2U);
}

BOOST_AUTO_TEST_CASE(a_redirect_to_another_host_is_challenged_there_keeps_the_query_and_gets_no_foreign_token) {
  FakeServer front_auth(io);
  FakeServer back_auth(io);
  FakeServer back(io);
  FakeServer front(io);
  front_auth.handle = [&](const net::ServerRequest&) { return net::ServerResponse::json(200, R"({"token":"front-token"})"); };
  back_auth.handle = [&](const net::ServerRequest&) { return net::ServerResponse::json(200, R"({"token":"back-token"})"); };
  front.handle = [&](const net::ServerRequest& req) {
    if (req.header("Authorization") != "Bearer front-token") {
      return challenge("Bearer realm=\"" + front_auth.url() + "/token\",service=\"front\"");
    }
    // registry.k8s.io: the path moves to another host, the query is dropped.
    auto r = net::ServerResponse::text(307, "");
    r.headers.add("Location", back.url() + "/v2/mirror" + req.path.substr(3));
    return r;
  };
  back.handle = [&](const net::ServerRequest& req) {
    if (req.header("Authorization") != "Bearer back-token") {
      return challenge("Bearer realm=\"" + back_auth.url() + "/token\",service=\"back\"");
    }
    if (req.path == "/v2/mirror/pause/tags/list") {
      if (req.query_param("last") == std::string("3.8")) return net::ServerResponse::json(200, R"({"tags":["3.9"]})");
      return with_header(net::ServerResponse::json(200, R"({"tags":["3.7","3.8"]})"), "Link",
                         "<" + front.url() + "/v2/pause/tags/list?last=3.8>; rel=\"next\"");
    }
    return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
  };
  reg::Client client(*http, {});
  auto image = image_ref(front.host() + "/pause:3.9");
  auto tags = run(io, client.tags(image, soon()));
  UA_REQUIRE_OK(tags);
  const std::vector<std::string> expected{"3.7", "3.8", "3.9"};
  BOOST_TEST(tags->tags == expected, boost::test_tools::per_element());
  auto d = run(io, client.digest(image, "3.9", soon()));
  UA_REQUIRE_OK(d);
  BOOST_TEST(d->digest == reg::sha256_digest(kIndex));
  for (const auto& r : back.seen) BOOST_TEST(r.header("Authorization").value_or("").find("front-token") == std::string::npos);
  BOOST_REQUIRE(!back_auth.seen.empty());
  BOOST_TEST(back_auth.seen[0].query_param("scope").value_or("") == "repository:mirror/pause:pull");
  BOOST_TEST(front_auth.seen[0].query_param("scope").value_or("") == "repository:pause:pull");
}

BOOST_AUTO_TEST_CASE(rate_limits_wait_inside_the_deadline_and_say_until_when_otherwise) {
  FakeServer fake(io);
  unsigned limited = 0;
  std::string retry_after = "1";
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.path == "/v2/") return net::ServerResponse::json(200, "{}");
    if (limited > 0) {
      --limited;
      return with_header(net::ServerResponse::json(429, R"({"errors":[{"code":"TOOMANYREQUESTS"}]})"), "Retry-After", retry_after);
    }
    auto r = manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
    r.headers.add("ratelimit-remaining", "97;w=21600");
    return r;
  };
  net::ClientOptions no_retries = client_options;
  no_retries.max_attempts = 1;  // the adapter's own wait, not net::Client's
  use_client_options(no_retries);
  reg::Client client(*http, {});
  limited = 1;
  const auto start = std::chrono::steady_clock::now();
  auto waited = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon()));
  UA_REQUIRE_OK(waited);
  BOOST_TEST(ua::test::seconds_since(start) >= 0.9);
  BOOST_TEST(client.stats().ratelimit_remaining.value_or(-1) == 97);

  limited = 1;
  retry_after = "3600";
  const auto start2 = std::chrono::steady_clock::now();
  auto refused = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon(5s)));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().kind == ErrorKind::unavailable);
  BOOST_TEST(refused.error().message.find("rate-limited until 20") != std::string::npos);
  BOOST_TEST(ua::test::seconds_since(start2) < 2.0);  // no pointless wait
}

BOOST_AUTO_TEST_CASE(docker_hub_names_go_to_registry_1_and_auth_docker_io_with_the_index_key_credentials) {
  auto pki = net::make_test_pki({"registry-1.docker.io", "auth.docker.io"});
  BOOST_REQUIRE(pki);
  FakeServer hub(io, pki->server);
  FakeServer hub_auth(io, pki->server);
  hub_auth.handle = [&](const net::ServerRequest&) { return net::ServerResponse::json(200, R"({"token":"hub"})"); };
  hub.handle = [&](const net::ServerRequest& req) {
    if (req.header("Authorization") != "Bearer hub") {
      return challenge(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io")");
    }
    return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
  };
  net::ClientOptions o = client_options;
  o.extra_ca_pem = pki->ca_pem;
  o.connect_to = {ua::config::ConnectTo{"registry-1.docker.io", 443, "127.0.0.1", hub.server->port()},
                  ua::config::ConnectTo{"auth.docker.io", 443, "127.0.0.1", hub_auth.server->port()}};
  use_client_options(o);
  auto creds = reg::parse_docker_config(
      R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + reg::detail::base64_encode("hubuser:hubpass") + R"("}}})", "config.json");
  UA_REQUIRE_OK(creds);
  reg::Options ro;
  ro.credentials = std::move(*creds);
  reg::Client client(*http, ro);
  auto d = run(io, client.digest(image_ref("nginx:1.27"), "1.27", soon()));
  UA_REQUIRE_OK(d);
  BOOST_TEST(hub.requests("/v2/library/nginx/manifests/1.27").size() == 1U);  // the /v2/ challenge said how
  BOOST_TEST(hub.seen.at(0).path == "/v2/");
  BOOST_REQUIRE_EQUAL(hub_auth.seen.size(), 1U);
  BOOST_TEST(hub_auth.seen[0].query_param("service").value_or("") == "registry.docker.io");
  BOOST_TEST(hub_auth.seen[0].query_param("scope").value_or("") == "repository:library/nginx:pull");
  BOOST_TEST(hub_auth.seen[0].header("Authorization").value_or("") == "Basic " + reg::detail::base64_encode("hubuser:hubpass"));
}

BOOST_AUTO_TEST_CASE(unreachable_is_unavailable_slow_is_timeout_cancelled_is_cancelled) {
  reg::Client client(*http, {});
  // A port just closed: nothing listens there.
  std::string closed;
  {
    FakeServer gone(io);
    closed = gone.host();
  }
  auto unreachable = run(io, client.digest(image_ref(closed + "/team/app:v1"), "v1", soon()));
  BOOST_REQUIRE(!unreachable);
  BOOST_TEST(unreachable.error().kind == ErrorKind::unavailable);
  BOOST_TEST(unreachable.error().system == "registry");

  FakeServer slow(io);
  slow.delay = 5s;
  slow.handle = [](const net::ServerRequest&) { return net::ServerResponse::json(200, "{}"); };
  auto late = run(io, client.digest(image_ref(slow.host() + "/team/app:v1"), "v1", soon(300ms)));
  BOOST_REQUIRE(!late);
  BOOST_TEST(late.error().kind == ErrorKind::timeout);

  asio::cancellation_signal signal;
  std::optional<ua::core::Expected<ua::ports::Digest>> result;
  asio::co_spawn(io, ua::test::store(client.digest(image_ref(slow.host() + "/team/other:v1"), "v1", soon()), &result),
                 asio::bind_cancellation_slot(signal.slot(), [](std::exception_ptr) {}));
  io.restart();
  io.run_for(200ms);
  signal.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 100 && !result; ++i) io.run_one_for(50ms);
  BOOST_REQUIRE(result.has_value());
  const auto& cancelled = *result;
  BOOST_REQUIRE(!cancelled);
  BOOST_TEST(cancelled.error().kind == ErrorKind::cancelled);
}

BOOST_AUTO_TEST_CASE(basic_only_registries_get_the_credentials_and_no_secret_reaches_a_log_or_an_error) {
  std::ostringstream logs;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logs)));
  spdlog::set_level(spdlog::level::trace);
  FakeServer fake(io);
  const std::string password = "hunter2-basic-SECRET";
  const std::string expected = "Basic " + reg::detail::base64_encode("carol:" + password);
  fake.handle = [&](const net::ServerRequest& req) {
    if (req.header("Authorization") != expected) return challenge("Basic realm=\"Registry Realm\"");
    if (req.path == "/v2/team/app/manifests/v9.9.9") return net::ServerResponse::json(404, "{}");
    return manifest_response(req, kIndex, "application/vnd.oci.image.index.v1+json");
  };
  reg::Options o;
  o.credentials.add("http://" + fake.host() + "/", reg::Credential{"carol", ua::config::Secret(password)});
  reg::Client client(*http, o);
  auto ok = run(io, client.digest(image_ref(fake.host() + "/team/app:v1"), "v1", soon()));
  auto missing = run(io, client.digest(image_ref(fake.host() + "/team/app:v9.9.9"), "v9.9.9", soon()));
  spdlog::set_default_logger(previous);
  UA_REQUIRE_OK(ok);
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().kind == ErrorKind::not_found);
  BOOST_TEST(missing.error().message == "no tag v9.9.9 in " + fake.host() + "/team/app");
  BOOST_TEST(logs.str().find("/v2/team/app/manifests") != std::string::npos);
  for (const auto& text : {logs.str(), missing.error().describe()}) {
    BOOST_TEST(text.find(password) == std::string::npos);
    BOOST_TEST(text.find(reg::detail::base64_encode("carol:" + password)) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(credentials_are_not_sent_to_a_plain_http_realm_nor_followed_down_to_http) {
  auto pki = net::make_test_pki({"registry.example"});
  BOOST_REQUIRE(pki);
  FakeServer tls(io, pki->server);
  FakeServer plain(io);
  plain.handle = [](const net::ServerRequest&) { return net::ServerResponse::json(200, R"({"token":"t"})"); };
  bool downgrade = false;
  tls.handle = [&](const net::ServerRequest& req) {
    if (downgrade && req.path != "/v2/") {
      auto r = net::ServerResponse::text(302, "");
      r.headers.add("Location", "http://registry.example:" + std::to_string(plain.server->port()) + req.path);
      return r;
    }
    return challenge("Bearer realm=\"http://registry.example:" + std::to_string(plain.server->port()) + "/token\"");
  };
  net::ClientOptions o = client_options;
  o.extra_ca_pem = pki->ca_pem;
  o.connect_to = {ua::config::ConnectTo{"registry.example", 443, "127.0.0.1", tls.server->port()},
                  ua::config::ConnectTo{"registry.example", plain.server->port(), "127.0.0.1", plain.server->port()}};
  use_client_options(o);
  reg::Options ro;
  ro.credentials.add("registry.example", reg::Credential{"dave", ua::config::Secret("pw")});
  reg::Client client(*http, ro);
  auto refused = run(io, client.digest(image_ref("registry.example/team/app:v1"), "v1", soon()));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().message.find("plain http") != std::string::npos);
  BOOST_TEST(plain.seen.empty());

  downgrade = true;
  reg::Client anonymous(*http, {});
  auto down = run(io, anonymous.digest(image_ref("registry.example/team/app:v1"), "v1", soon()));
  BOOST_REQUIRE(!down);
  BOOST_TEST(down.error().message.find("redirected from https to plain http") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
