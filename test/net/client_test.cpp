// The real client against real local servers (plain and TLS).
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "net/client_fixture.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace ua::net;
using ua::test::run_coro;
using ua::test::seconds_since;
using ua::test::delayed;

using Fixture = ua::test::ClientFixture;

BOOST_FIXTURE_TEST_SUITE(client, Fixture)

BOOST_AUTO_TEST_CASE(get_returns_status_headers_and_body) {
  std::string seen_host;
  std::string seen_query;
  std::string seen_agent;
  Router router;
  router.add("GET", "/hello/{name}", [&](const ServerRequest& r) {
    seen_host = r.header("Host").value_or("");
    seen_query = r.query_param("q").value_or("");
    seen_agent = r.header("User-Agent").value_or("");
    auto res = ServerResponse::json(200, R"({"hello":")" + r.params.at("name") + R"("})");
    res.headers.add("Link", "<a>; rel=\"next\"");
    res.headers.add("Link", "<b>; rel=\"last\"");
    return res;
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto r = get(client, server.url() + "/hello/world?q=a%20b");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == R"({"hello":"world"})");
  BOOST_TEST(r->header("content-type").value() == "application/json; charset=utf-8");
  BOOST_TEST(r->headers.get_all("link").size() == 2U);
  BOOST_TEST(r->attempts == 1U);
  BOOST_TEST(seen_host == "127.0.0.1:" + std::to_string(server.port()));
  BOOST_TEST(seen_query == "a b");
  BOOST_TEST(seen_agent == "upgrade-agent");

  auto missing = get(client, server.url() + "/nothing");
  BOOST_REQUIRE(missing.has_response());
  BOOST_TEST(missing->status == 404);  // a status is a response, not a failure
}

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) {
  Router router;
  router.add("GET", "/n", [](const ServerRequest&) { return ServerResponse::text(200, "ok"); });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  for (int i = 0; i < 5; ++i) BOOST_TEST(get(client, server.url() + "/n")->status == 200);
  BOOST_TEST(server.connections_accepted() == 1U);
  BOOST_TEST(client.stats().connections_opened == 1U);
  BOOST_TEST(client.stats().connections_reused == 4U);
}

BOOST_AUTO_TEST_CASE(connection_close_is_respected) {
  Router router;
  router.add("GET", "/n", [](const ServerRequest&) {
    auto r = ServerResponse::text(200, "ok");
    r.close = true;
    return r;
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  for (int i = 0; i < 3; ++i) BOOST_TEST(get(client, server.url() + "/n")->status == 200);
  BOOST_TEST(server.connections_accepted() == 3U);
  BOOST_TEST(client.stats().connections_reused == 0U);
}

BOOST_AUTO_TEST_CASE(idle_connection_closed_by_server_is_replaced) {
  Router router;
  router.add("GET", "/n", [](const ServerRequest&) { return ServerResponse::text(200, "ok"); });
  ServerOptions options;
  options.header_timeout = 150ms;  // the server drops idle keep-alive connections quickly
  auto& server = serve(std::move(router), options);
  Client client(io.get_executor(), fast_options());
  BOOST_TEST(get(client, server.url() + "/n")->status == 200);
  run_coro(io, [&]() -> asio::awaitable<int> {
    asio::steady_timer t(co_await asio::this_coro::executor, 400ms);
    co_await t.async_wait(asio::use_awaitable);
    co_return 0;
  }());
  auto r = get(client, server.url() + "/n");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->attempts == 1U);
  BOOST_TEST(server.connections_accepted() == 2U);
}

BOOST_AUTO_TEST_CASE(read_timeout_names_host_request_and_reason) {
  Router router;
  router.add_async("GET", "/slow", [](const ServerRequest&) { return delayed(5s, ServerResponse::text(200, "late")); });
  auto& server = serve(std::move(router));
  auto options = fast_options();
  options.read_timeout = 200ms;
  options.max_attempts = 1;
  Client client(io.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  auto r = get(client, server.url() + "/slow?access_token=SECRET", {{"Authorization", "token SECRET"}});
  BOOST_TEST(seconds_since(start) < 1.5);
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::timeout);
  const auto& m = r.failure().message;
  BOOST_TEST(m.find("GET " + server.url() + "/slow:") == 0U, m);
  BOOST_TEST(m.find("no progress within 200ms while waiting for the response") != std::string::npos, m);
  BOOST_TEST(m.find("SECRET") == std::string::npos);
  BOOST_TEST(m.find('?') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(deadline_bounds_every_retry) {
  int calls = 0;
  Router router;
  router.add_async("GET", "/slow", [&](const ServerRequest&) {
    ++calls;
    return delayed(5s, ServerResponse::text(200, "late"));
  });
  auto& server = serve(std::move(router));
  auto options = fast_options();
  options.read_timeout = 300ms;
  options.max_attempts = 10;
  Client client(io.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  RequestOptions ro;
  ro.deadline = start + 1s;
  auto r = get(client, server.url() + "/slow", {}, ro);
  const double took = seconds_since(start);
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::timeout);
  BOOST_TEST(took >= 0.9);
  BOOST_TEST(took < 1.4);
  BOOST_TEST(calls >= 2);  // retried while time was left
  BOOST_TEST(calls <= 4);
}

BOOST_AUTO_TEST_CASE(caller_cancellation_ends_the_request) {
  Router router;
  router.add_async("GET", "/slow", [](const ServerRequest&) { return delayed(5s, ServerResponse::text(200, "late")); });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  const auto start = std::chrono::steady_clock::now();
  auto which = run_coro(io, [&]() -> asio::awaitable<std::size_t> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(co_await asio::this_coro::executor, 150ms);
    std::string url = server.url() + "/slow";
    auto request = client.get(std::move(url));
    auto v = co_await (std::move(request) || t.async_wait(asio::use_awaitable));
    co_return v.index();
  }());
  BOOST_TEST(which == 1U);
  BOOST_TEST(seconds_since(start) < 1.0);
  // The client is still usable afterwards.
  Router again;
  again.add("GET", "/ok", [](const ServerRequest&) { return ServerResponse::text(200, "ok"); });
  auto& second = serve(std::move(again));
  BOOST_TEST(get(client, second.url() + "/ok")->status == 200);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_then_succeed) {
  int calls = 0;
  Router router;
  router.add("GET", "/flaky", [&](const ServerRequest&) {
    ++calls;
    return calls <= 2 ? ServerResponse::text(calls == 1 ? 500 : 503, "down") : ServerResponse::text(200, "up");
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto r = get(client, server.url() + "/flaky");
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == "up");
  BOOST_TEST(r->attempts == 3U);
  BOOST_TEST(calls == 3);
  BOOST_TEST(client.stats().retries == 2U);
}

BOOST_AUTO_TEST_CASE(retries_stop_at_max_attempts_and_return_the_last_answer) {
  int calls = 0;
  Router router;
  router.add("GET", "/down", [&](const ServerRequest&) {
    ++calls;
    return ServerResponse::text(502, "bad gateway");
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto r = get(client, server.url() + "/down");
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 502);
  BOOST_TEST(calls == 4);
  BOOST_TEST(r->attempts == 4U);
}

BOOST_AUTO_TEST_CASE(post_is_not_retried) {
  int calls = 0;
  std::string body;
  Router router;
  router.add("POST", "/hook", [&](const ServerRequest& r) {
    ++calls;
    body = r.body;
    return ServerResponse::text(500, "no");
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  Request req;
  req.method = "POST";
  req.url = server.url() + "/hook";
  req.body = R"({"text":"hi"})";
  req.headers.set("Content-Type", "application/json");
  auto r = send(client, req);
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 500);
  BOOST_TEST(calls == 1);
  BOOST_TEST(body == R"({"text":"hi"})");
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured) {
  int calls = 0;
  Router router;
  router.add("GET", "/limited", [&](const ServerRequest&) {
    ++calls;
    if (calls == 1) {
      auto r = ServerResponse::json(429, R"({"message":"slow down"})");
      r.headers.set("Retry-After", "1");
      return r;
    }
    return ServerResponse::text(200, "ok");
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  const auto start = std::chrono::steady_clock::now();
  auto r = get(client, server.url() + "/limited");
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(seconds_since(start) >= 0.95);  // not the 20ms backoff
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_deadline_returns_at_once) {
  int calls = 0;
  Router router;
  router.add("GET", "/limited", [&](const ServerRequest&) {
    ++calls;
    auto r = ServerResponse::json(429, R"({"message":"slow down"})");
    r.headers.set("Retry-After", "120");
    return r;
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  const auto start = std::chrono::steady_clock::now();
  RequestOptions ro;
  ro.deadline = start + 3s;
  auto r = get(client, server.url() + "/limited", {}, ro);
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 429);
  BOOST_TEST(r->header("retry-after").value() == "120");
  BOOST_TEST(seconds_since(start) < 0.5);
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(dropped_connection_is_retried_for_get) {
  int calls = 0;
  Router router;
  router.add("GET", "/once", [&](const ServerRequest&) {
    ++calls;
    ServerResponse r = ServerResponse::text(200, "second time lucky");
    r.drop = calls == 1;
    return r;
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto r = get(client, server.url() + "/once");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->body == "second time lucky");
  BOOST_TEST(r->attempts == 2U);
}

BOOST_AUTO_TEST_CASE(refused_connection_fails_after_retries) {
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  Client client(io.get_executor(), fast_options());
  auto r = get(client, "http://127.0.0.1:" + std::to_string(port) + "/x?token=SECRET");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::connect);
  BOOST_TEST(r.failure().message.find("cannot connect") != std::string::npos, r.failure().message);
  BOOST_TEST(r.failure().message.find("after 4 attempts") != std::string::npos, r.failure().message);
  BOOST_TEST(r.failure().message.find("SECRET") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(connect_timeout_when_nobody_answers_the_handshake) {
  // A listener that never accepts, with its backlog already full: the kernel
  // drops further SYNs, so connecting hangs until the client gives up.
  asio::ip::tcp::acceptor full(io);
  const asio::ip::tcp::endpoint where(asio::ip::make_address("127.0.0.1"), 0);
  full.open(where.protocol());
  full.bind(where);
  full.listen(0);
  const auto port = full.local_endpoint().port();
  std::vector<int> fillers;  // raw non-blocking connects: asio would wait for them
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) ::close(fd);
    }
  } closer{fillers};
  auto options = fast_options();
  options.connect_timeout = 300ms;
  options.max_attempts = 1;
  Client client(io.get_executor(), options);
  const auto start = std::chrono::steady_clock::now();
  auto r = get(client, "http://127.0.0.1:" + std::to_string(port) + "/");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::timeout, r.failure().message);
  BOOST_TEST(r.failure().message.find("no progress within 300ms while connecting") != std::string::npos,
             r.failure().message);
  BOOST_TEST(seconds_since(start) < 1.0);
}

BOOST_AUTO_TEST_CASE(body_over_the_cap_is_a_clear_error) {
  Router router;
  router.add("GET", "/big", [](const ServerRequest&) { return ServerResponse::text(200, std::string(2U << 20U, 'x')); });
  auto& server = serve(std::move(router));
  auto options = fast_options();
  options.max_body_bytes = 1U << 20U;
  Client client(io.get_executor(), options);
  auto r = get(client, server.url() + "/big");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::body_too_large);
  BOOST_TEST(r.failure().message.find("exceeds the limit of 1048576 bytes") != std::string::npos, r.failure().message);
  RequestOptions ro;
  ro.max_body_bytes = 4U << 20U;  // a caller may allow more (Helm index files)
  auto big = get(client, server.url() + "/big", {}, ro);
  BOOST_REQUIRE(big.has_response());
  BOOST_TEST(big->body.size() == 2U << 20U);
}

BOOST_AUTO_TEST_CASE(redirects_are_followed_up_to_three) {
  Router router;
  router.add("GET", "/r/{n}", [](const ServerRequest& r) {
    const int n = std::stoi(r.params.at("n"));
    if (n == 0) return ServerResponse::text(200, "arrived");
    auto res = ServerResponse::text(302, "");
    res.headers.set("Location", "/r/" + std::to_string(n - 1));
    return res;
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto ok = get(client, server.url() + "/r/3");
  BOOST_REQUIRE(ok.has_response());
  BOOST_TEST(ok->body == "arrived");
  BOOST_TEST(ok->redirects == 3U);
  BOOST_TEST(ok->url == server.url() + "/r/0");
  auto too_many = get(client, server.url() + "/r/4");
  BOOST_REQUIRE(!too_many.has_response());
  BOOST_TEST(too_many.failure().kind == FailureKind::too_many_redirects);
  RequestOptions manual;
  manual.follow_redirects = false;
  auto raw = get(client, server.url() + "/r/1", {}, manual);
  BOOST_TEST(raw->status == 302);
  BOOST_TEST(raw->header("location").value() == "/r/0");
}

BOOST_AUTO_TEST_CASE(see_other_turns_post_into_get) {
  std::string method_seen;
  Router router;
  router.add("POST", "/submit", [](const ServerRequest&) {
    auto r = ServerResponse::text(303, "");
    r.headers.set("Location", "/result");
    return r;
  });
  router.add("*", "/result", [&](const ServerRequest& r) {
    method_seen = r.method;
    return ServerResponse::text(200, r.body.empty() ? "empty" : "body");
  });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  Request req;
  req.method = "POST";
  req.url = server.url() + "/submit";
  req.body = "x=1";
  auto r = send(client, req);
  BOOST_TEST(r->body == "empty");
  BOOST_TEST(method_seen == "GET");
}

BOOST_AUTO_TEST_CASE(authorization_is_dropped_when_the_host_changes) {
  std::optional<std::string> auth_other;
  std::string host_other;
  Router other;
  other.add("GET", "/x", [&](const ServerRequest& r) {
    auth_other = r.header("Authorization");
    host_other = r.header("Host").value_or("");
    return ServerResponse::text(200, "other");
  });
  auto& second = serve(std::move(other));
  const auto other_port = std::to_string(second.port());

  std::optional<std::string> auth_same;
  Router first;
  first.add("GET", "/away", [&](const ServerRequest&) {
    auto r = ServerResponse::text(301, "");
    r.headers.set("Location", "http://mirror.test:" + other_port + "/x");
    return r;
  });
  first.add("GET", "/home", [](const ServerRequest&) {
    auto r = ServerResponse::text(307, "");
    r.headers.set("Location", "/here");
    return r;
  });
  first.add("GET", "/here", [&](const ServerRequest& r) {
    auth_same = r.header("Authorization");
    return ServerResponse::text(200, "same");
  });
  auto& server = serve(std::move(first));

  auto options = fast_options();
  options.connect_to.push_back({"mirror.test", 0, "127.0.0.1", 0});
  Client client(io.get_executor(), options);
  auto r = get(client, server.url() + "/away", {{"Authorization", "token SECRET"}});
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->body == "other");
  BOOST_TEST(!auth_other.has_value());
  BOOST_TEST(host_other == "mirror.test:" + other_port);  // connect-to keeps the Host header

  auto same = get(client, server.url() + "/home", {{"Authorization", "token SECRET"}});
  BOOST_TEST(same->body == "same");
  BOOST_TEST(auth_same.value_or("") == "token SECRET");
}

BOOST_AUTO_TEST_CASE(connect_to_rules_apply_first_match) {
  std::string host_seen;
  Router router;
  router.add("GET", "/ping", [&](const ServerRequest& r) {
    host_seen = r.header("Host").value_or("");
    return ServerResponse::text(200, "pong");
  });
  auto& server = serve(std::move(router));
  auto options = fast_options();
  options.connect_to.push_back({"api.example.test", 80, "127.0.0.1", server.port()});
  options.connect_to.push_back({"", 0, "127.0.0.2", 1});  // later rules never reached for that host
  Client client(io.get_executor(), options);
  auto r = get(client, "http://api.example.test/ping");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->body == "pong");
  BOOST_TEST(host_seen == "api.example.test");

  const auto mapped = apply_connect_to(options.connect_to, "api.example.test", 443);
  BOOST_TEST(mapped.first == "127.0.0.2");  // port 443 does not match the first rule
  BOOST_TEST(mapped.second == 1);
  BOOST_TEST(apply_connect_to({}, "h", 5).first == "h");
}

BOOST_AUTO_TEST_CASE(invalid_requests_never_reach_the_network) {
  Router router;
  router.add("*", "/*", [](const ServerRequest&) { return ServerResponse::text(200, "ok"); });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  auto bad_url = get(client, "notaurl");
  BOOST_TEST(bad_url.failure().kind == FailureKind::invalid_request);
  auto injected = get(client, server.url() + "/x", {{"X-Evil", "a\r\nX-Injected: 1"}});
  BOOST_TEST(injected.failure().kind == FailureKind::invalid_request);
  BOOST_TEST(injected.failure().message.find("X-Evil") != std::string::npos);
  Request req;
  req.method = "GET /x HTTP/1.1\r\n";
  req.url = server.url() + "/x";
  BOOST_TEST(send(client, req).failure().kind == FailureKind::invalid_request);
  BOOST_TEST(server.connections_accepted() == 0U);
}

BOOST_AUTO_TEST_CASE(redacted_paths_stay_out_of_messages) {
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  auto options = fast_options();
  options.max_attempts = 1;
  Client client(io.get_executor(), options);
  Request req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/services/T000/B000/SECRETPATH";
  req.redact_path = true;
  auto r = send(client, req);
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().message.find("SECRETPATH") == std::string::npos, r.failure().message);
  BOOST_TEST(r.failure().message.find("POST http://127.0.0.1:" + std::to_string(port)) == 0U, r.failure().message);
}

BOOST_AUTO_TEST_CASE(head_request_reads_no_body) {
  Router router;
  router.add("HEAD", "/h", [](const ServerRequest&) { return ServerResponse::text(200, "0123456789"); });
  auto& server = serve(std::move(router));
  Client client(io.get_executor(), fast_options());
  Request req;
  req.method = "HEAD";
  req.url = server.url() + "/h";
  auto r = send(client, req);
  BOOST_REQUIRE(r.has_response());
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.empty());
  BOOST_TEST(r->header("content-length").value() == "10");
  BOOST_TEST(get(client, server.url() + "/h")->status == 405);  // and the connection is still in step
}

BOOST_AUTO_TEST_SUITE_END()

// TLS: the chain and the host name are checked the way they are for real hosts.
BOOST_FIXTURE_TEST_SUITE(tls, Fixture)

BOOST_AUTO_TEST_CASE(verified_connection_through_connect_to) {
  auto pki = make_test_pki({"sim.test"});
  BOOST_REQUIRE(pki);
  std::string host_seen;
  Router router;
  router.add("GET", "/secure", [&](const ServerRequest& r) {
    host_seen = r.header("Host").value_or("");
    return ServerResponse::text(200, "encrypted");
  });
  ServerOptions so;
  so.tls = pki->server;
  auto& server = serve(std::move(router), so);
  auto options = fast_options();
  options.extra_ca_pem = pki->ca_pem;
  options.connect_to.push_back({"sim.test", 443, "127.0.0.1", server.port()});
  Client client(io.get_executor(), options);
  auto r = get(client, "https://sim.test/secure");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->body == "encrypted");
  BOOST_TEST(host_seen == "sim.test");
  BOOST_TEST(get(client, "https://sim.test/secure")->status == 200);
  BOOST_TEST(server.connections_accepted() == 1U);  // kept alive over TLS too
}

BOOST_AUTO_TEST_CASE(untrusted_certificate_is_refused) {
  auto pki = make_test_pki({"sim.test"});
  BOOST_REQUIRE(pki);
  Router router;
  router.add("GET", "/secure", [](const ServerRequest&) { return ServerResponse::text(200, "encrypted"); });
  ServerOptions so;
  so.tls = pki->server;
  auto& server = serve(std::move(router), so);
  auto options = fast_options();  // system trust store only
  options.connect_to.push_back({"sim.test", 443, "127.0.0.1", server.port()});
  Client client(io.get_executor(), options);
  auto r = get(client, "https://sim.test/secure");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::tls);
  BOOST_TEST(r.failure().message.find("certificate of sim.test not accepted") != std::string::npos, r.failure().message);
  BOOST_TEST(server.requests_served() == 0U);
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_refused) {
  auto pki = make_test_pki({"other.test"});
  BOOST_REQUIRE(pki);
  Router router;
  router.add("GET", "/secure", [](const ServerRequest&) { return ServerResponse::text(200, "encrypted"); });
  ServerOptions so;
  so.tls = pki->server;
  auto& server = serve(std::move(router), so);
  auto options = fast_options();
  options.extra_ca_pem = pki->ca_pem;
  options.connect_to.push_back({"sim.test", 0, "127.0.0.1", server.port()});
  Client client(io.get_executor(), options);
  auto r = get(client, "https://sim.test/secure");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST(r.failure().kind == FailureKind::tls);
  BOOST_TEST(r.failure().message.find("hostname mismatch") != std::string::npos, r.failure().message);
}

BOOST_AUTO_TEST_CASE(ip_address_certificates_are_checked_as_addresses) {
  auto pki = make_test_pki({"127.0.0.1"});
  BOOST_REQUIRE(pki);
  Router router;
  router.add("GET", "/", [](const ServerRequest&) { return ServerResponse::text(200, "by ip"); });
  ServerOptions so;
  so.tls = pki->server;
  auto& server = serve(std::move(router), so);
  auto options = fast_options();
  options.extra_ca_pem = pki->ca_pem;
  Client client(io.get_executor(), options);
  auto r = get(client, server.url() + "/");
  BOOST_REQUIRE_MESSAGE(r.has_response(), (r.has_response() ? std::string() : r.failure().message));
  BOOST_TEST(r->body == "by ip");
}

BOOST_AUTO_TEST_CASE(plain_http_to_a_tls_port_is_a_protocol_or_connection_error) {
  auto pki = make_test_pki({"127.0.0.1"});
  BOOST_REQUIRE(pki);
  Router router;
  ServerOptions so;
  so.tls = pki->server;
  so.header_timeout = 300ms;
  auto& server = serve(std::move(router), so);
  auto options = fast_options();
  options.max_attempts = 1;
  Client client(io.get_executor(), options);
  auto r = get(client, "http://127.0.0.1:" + std::to_string(server.port()) + "/");
  BOOST_REQUIRE(!r.has_response());
  BOOST_TEST((r.failure().kind == FailureKind::protocol || r.failure().kind == FailureKind::connection),
             r.failure().message);
}

BOOST_AUTO_TEST_SUITE_END()
