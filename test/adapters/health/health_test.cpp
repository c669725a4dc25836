// The HTTP health check against the per-host simulator, reached over TLS
// through connect_to rules as https://immich.example.org is in production.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/test/unit_test.hpp>

#include "net/support.hpp"
#include "sandbox/health/health_simulator.hpp"
#include "support/boxed.hpp"
#include "upgrade_agent/adapters/health/health.hpp"

namespace asio = boost::asio;
namespace health = ua::adapters::health;
namespace sim = ua::sandbox::health;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::ports::HttpCheck;
using ua::test::run_coro;
using ua::test::seconds_since;

// core::ErrorKind prints itself (core/error.hpp).

namespace {

const std::vector<std::string> kHosts{"immich.example.org", "auth.example.org", "vault.example.org",
                                      "loop.example.org", "down.example.org"};

struct Fixture {
  asio::io_context io;
  std::unique_ptr<sim::Simulator> front;
  std::unique_ptr<ua::net::Client> http;
  health::Options options;

  sim::Simulator& start(bool tls = true) {
    sim::Options o;
    o.hosts = kHosts;
    o.tls = tls;
    front = std::make_unique<sim::Simulator>(io.get_executor(), o);
    BOOST_REQUIRE(front->start());
    ua::net::ClientOptions co;
    co.extra_ca_pem = front->ca_pem();
    co.connect_to = front->connect_to();
    co.backoff_initial = 10ms;
    http = std::make_unique<ua::net::Client>(io.get_executor(), co);
    options.scheme = front->scheme();
    return *front;
  }

  ua::core::Expected<HttpCheck> check(const std::string& host, std::chrono::milliseconds budget = 20s) {
    health::Checker checker(*http, options);
    return *run_coro(io, ua::test::boxed(checker.check(host, ua::core::Clock::now() + budget)));
  }

  HttpCheck answered(const std::string& host) {
    auto c = check(host);
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().describe()));
    return *c;
  }

  ~Fixture() {
    if (front) front->stop();
    io.restart();
    io.poll();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(health_adapter, Fixture)

BOOST_AUTO_TEST_CASE(which_statuses_pass) {
  for (int s : {200, 204, 301, 302, 303, 307, 308, 401}) BOOST_TEST(health::passes(s), s);
  for (int s : {0, 100, 300, 304, 400, 403, 404, 429, 500, 502, 503, 504}) BOOST_TEST(!health::passes(s), s);
  BOOST_TEST(health::Options().timeout == 10s);
  BOOST_TEST(health::Options().max_redirects == 3U);
  ua::config::Settings settings;
  settings.health_scheme = "http";
  BOOST_TEST(health::options_from(settings).scheme == "http");
}

BOOST_AUTO_TEST_CASE(ok_unauthorized_and_server_errors_over_tls) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::ok());
  f.set("vault.example.org", sim::Answer::status_only(401));
  f.set("down.example.org", sim::Answer::status_only(502));
  auto ok = answered("immich.example.org");
  BOOST_TEST(ok.healthy);
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(ok.detail == "https://immich.example.org/: 200");
  auto auth = answered("vault.example.org");
  BOOST_TEST(auth.healthy);
  BOOST_TEST(auth.status == 401);
  auto bad = answered("down.example.org");
  BOOST_TEST(!bad.healthy);
  BOOST_TEST(bad.status == 502);
  BOOST_TEST(bad.detail == "https://down.example.org/: 502 (server error)");
  // One probe per check: the client does not retry the 502 on its own.
  BOOST_TEST(f.count("down.example.org") == 1U);
}

BOOST_AUTO_TEST_CASE(other_client_errors_fail) {
  auto& f = start();
  f.set("vault.example.org", sim::Answer::status_only(403));
  auto forbidden = answered("vault.example.org");
  BOOST_TEST(!forbidden.healthy);
  BOOST_TEST(forbidden.status == 403);
  // A host nothing serves: the ingress controller's default backend.
  auto missing = answered("immich.example.org");
  BOOST_TEST(!missing.healthy);
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.detail.find("only 2xx, 401 and redirects pass") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(redirects_are_followed_and_the_last_answer_decides) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::redirect(302, "https://auth.example.org/login?rd=immich"));
  f.set("auth.example.org", "/login", sim::Answer::ok());
  auto sso = answered("immich.example.org");
  BOOST_TEST(sso.healthy);
  BOOST_TEST(sso.status == 200);
  BOOST_TEST(sso.detail == "https://immich.example.org/: 200 after 1 redirect (https://auth.example.org/login)");

  f.set("vault.example.org", sim::Answer::redirect(301, "/app/"));
  f.set("vault.example.org", "/app/", sim::Answer::status_only(502));
  auto broken = answered("vault.example.org");
  BOOST_TEST(!broken.healthy);
  BOOST_TEST(broken.status == 502);
  BOOST_TEST(f.count("vault.example.org") == 2U);
}

BOOST_AUTO_TEST_CASE(a_redirect_that_cannot_be_followed_is_judged_itself) {
  auto& f = start();
  // A loop: 1 + 3 redirects fetched, then the 4th Location is not followed.
  f.set("loop.example.org", sim::Answer::redirect(302, "/"));
  auto loop = answered("loop.example.org");
  BOOST_TEST(loop.healthy);
  BOOST_TEST(loop.status == 302);
  BOOST_TEST(loop.detail.find("more than 3 redirects") != std::string::npos);
  BOOST_TEST(f.count("loop.example.org") == 4U);

  // A target nobody listens on: the seed's curl -L printed the 301 too.
  f.set("immich.example.org", sim::Answer::redirect(301, "http://127.0.0.1:1/"));
  auto unreachable = answered("immich.example.org");
  BOOST_TEST(unreachable.healthy);
  BOOST_TEST(unreachable.status == 301);
  BOOST_TEST(unreachable.detail.find("not followed: http://127.0.0.1:1/: cannot connect") != std::string::npos);

  f.set("vault.example.org", sim::Answer::status_only(302));  // no Location
  auto bare = answered("vault.example.org");
  BOOST_TEST(bare.healthy);
  BOOST_TEST(bare.detail.find("without a Location") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_host_that_never_answers_fails_after_the_timeout) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::silent());
  options.timeout = 1s;
  const auto started = std::chrono::steady_clock::now();
  auto silent = answered("immich.example.org");
  const double took = seconds_since(started);
  BOOST_TEST(!silent.healthy);
  BOOST_TEST(silent.status == 0);
  BOOST_TEST(silent.detail == "https://immich.example.org/: no answer within 1s");
  BOOST_TEST(took >= 0.95);
  BOOST_TEST(took < 1.5);
  // A deadline sooner than the timeout wins.
  options.timeout = 10s;
  const auto again = std::chrono::steady_clock::now();
  auto cut = check("immich.example.org", 300ms);
  BOOST_REQUIRE(cut);
  BOOST_TEST(!cut->healthy);
  BOOST_TEST(cut->detail == "https://immich.example.org/: no answer before the deadline");
  BOOST_TEST(seconds_since(again) < 0.8);
}

BOOST_AUTO_TEST_CASE(the_default_timeout_is_ten_seconds, *boost::unit_test::label("slow")) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::silent());
  const auto started = std::chrono::steady_clock::now();
  auto silent = answered("immich.example.org");
  const double took = seconds_since(started);
  BOOST_TEST(!silent.healthy);
  BOOST_TEST(silent.detail == "https://immich.example.org/: no answer within 10s");
  BOOST_TEST(took >= 9.9);
  BOOST_TEST(took < 11.0);
}

BOOST_AUTO_TEST_CASE(a_cancelled_check_returns_cancelled_at_once) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::silent());
  health::Checker checker(*http, options);
  asio::cancellation_signal signal;
  std::optional<ua::core::Expected<HttpCheck>> result;
  asio::co_spawn(io, ua::test::boxed(checker.check("immich.example.org", ua::core::Clock::now() + 20s)),
                 asio::bind_cancellation_slot(signal.slot(),
                                              [&](std::exception_ptr e, std::optional<ua::core::Expected<HttpCheck>> r) {
                                                BOOST_TEST(!e);
                                                if (r) result.emplace(std::move(*r));
                                              }));
  io.restart();
  io.run_for(300ms);
  BOOST_REQUIRE(!result.has_value());
  BOOST_TEST(f.count("immich.example.org") == 1U);  // the request is waiting on the server
  signal.emit(asio::cancellation_type::terminal);
  const auto cancelled_at = std::chrono::steady_clock::now();
  while (!result && seconds_since(cancelled_at) < 2.0) io.run_one_for(5ms);
  BOOST_REQUIRE(result.has_value());
  BOOST_TEST(seconds_since(cancelled_at) < 0.1);
  BOOST_REQUIRE(!*result);
  BOOST_TEST(result->error().kind == ErrorKind::cancelled);
}

BOOST_AUTO_TEST_CASE(connection_and_tls_errors_fail_with_the_reason) {
  start();
  // Refused: a rule sending the host to a port nobody listens on.
  ua::net::ClientOptions co;
  co.connect_to.push_back({"immich.example.org", 443, "127.0.0.1", 1});
  http = std::make_unique<ua::net::Client>(io.get_executor(), co);
  auto refused = answered("immich.example.org");
  BOOST_TEST(!refused.healthy);
  BOOST_TEST(refused.status == 0);
  BOOST_TEST(refused.detail.find("https://immich.example.org/ (connecting to 127.0.0.1:1): cannot connect") == 0U,
             refused.detail);

  // A certificate that does not name the host.
  ua::net::ClientOptions other;
  other.extra_ca_pem = front->ca_pem();
  other.connect_to.push_back({"photos.example.org", 443, "127.0.0.1", front->port()});
  http = std::make_unique<ua::net::Client>(io.get_executor(), other);
  front->set("photos.example.org", sim::Answer::ok());
  auto wrong_name = answered("photos.example.org");
  BOOST_TEST(!wrong_name.healthy);
  BOOST_TEST(wrong_name.detail.find("certificate of photos.example.org not accepted") != std::string::npos);

  // A CA the client does not trust.
  ua::net::ClientOptions untrusted;
  untrusted.connect_to = front->connect_to();
  http = std::make_unique<ua::net::Client>(io.get_executor(), untrusted);
  front->set("immich.example.org", sim::Answer::ok());
  auto distrusted = answered("immich.example.org");
  BOOST_TEST(!distrusted.healthy);
  BOOST_TEST(distrusted.detail.find("certificate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_http_when_the_scheme_says_so) {
  auto& f = start(false);
  f.set("immich.example.org", sim::Answer::ok());
  f.set("down.example.org", sim::Answer::status_only(503));
  auto ok = answered("immich.example.org");
  BOOST_TEST(ok.healthy);
  BOOST_TEST(ok.detail == "http://immich.example.org/: 200");
  BOOST_TEST(!answered("down.example.org").healthy);
  BOOST_TEST(f.requests().back().host == "down.example.org");
}

BOOST_AUTO_TEST_CASE(hosts_and_schemes_that_cannot_be_probed_are_errors) {
  start();
  for (const std::string host : {"", "*.example.org", "immich.example.org/admin", "user@immich.example.org",
                                 "immich.example.org?x", "immich example.org"}) {
    auto c = check(host);
    BOOST_REQUIRE_MESSAGE(!c, host);
    BOOST_TEST(c.error().kind == ErrorKind::bad_input);
  }
  options.scheme = "ftp";
  auto c = check("immich.example.org");
  BOOST_REQUIRE(!c);
  BOOST_TEST(c.error().message.find("UPGRADE_AGENT_HEALTH_SCHEME") != std::string::npos);
  BOOST_TEST(front->requests().empty());
}

// Issue 8: a library coroutine never changes the caller's throw_if_cancelled
// (in Asio 1.26 the flag belongs to the whole chain).
BOOST_AUTO_TEST_CASE(the_callers_throw_if_cancelled_is_left_as_it_was) {
  auto& f = start();
  f.set("immich.example.org", sim::Answer::ok());
  health::Checker checker(*http, options);
  for (const bool setting : {true, false}) {
    auto observed = [](health::Checker& c, bool mine) -> asio::awaitable<std::pair<bool, bool>> {
      co_await asio::this_coro::throw_if_cancelled(mine);
      auto checked = co_await c.check("immich.example.org", ua::core::Clock::now() + 10s);
      const bool after = co_await asio::this_coro::throw_if_cancelled();
      co_return std::pair<bool, bool>(checked.has_value() && checked->healthy, after);
    };
    const auto [healthy, after] = run_coro(io, observed(checker, setting));
    BOOST_TEST(healthy);
    BOOST_TEST(after == setting);
  }
}

BOOST_AUTO_TEST_SUITE_END()
