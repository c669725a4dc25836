// The server plumbing, driven by raw sockets where the client would be too polite.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "net/support.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace ua::net;
using ua::test::run_coro;
using ua::test::seconds_since;

namespace {

struct Exchange {
  std::string received;
  double seconds_to_close = 0;
};

// Sends `bytes` (optionally stopping before the end), then reads until the
// server closes the connection.
asio::awaitable<Exchange> raw(std::uint16_t port, std::string bytes) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket s(ex);
  co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_await asio::async_write(s, asio::buffer(bytes), asio::use_awaitable);
  const auto start = std::chrono::steady_clock::now();
  Exchange out;
  std::array<char, 4096> buf{};
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    out.received.append(buf.data(), n);
    if (ec) break;
  }
  out.seconds_to_close = seconds_since(start);
  co_return out;
}

struct Fixture {
  asio::io_context io;
  std::unique_ptr<Server> server;

  Server& serve(Router router, ServerOptions options = {}) {
    server = std::make_unique<Server>(io.get_executor(), std::move(router), std::move(options));
    BOOST_REQUIRE(server->start());
    return *server;
  }
  ~Fixture() {
    if (server) server->stop();
    io.restart();
    io.poll();
  }
};

Router echo_router() {
  Router r;
  r.add("POST", "/echo", [](const ServerRequest& q) { return ServerResponse::text(200, q.body); });
  r.add("GET", "/repos/{owner}/{repo}", [](const ServerRequest& q) {
    return ServerResponse::text(200, q.params.at("owner") + "|" + q.params.at("repo"));
  });
  r.add("GET", "/files/*", [](const ServerRequest& q) { return ServerResponse::text(200, "tail=" + q.params.at("*")); });
  return r;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(server, Fixture)

BOOST_AUTO_TEST_CASE(router_matches_params_tails_and_methods) {
  auto router = echo_router();
  auto m = router.match("GET", "/repos/a/b");
  BOOST_REQUIRE(m.handler);
  BOOST_TEST(m.params.at("owner") == "a");
  BOOST_TEST(m.params.at("repo") == "b");
  BOOST_TEST(!router.match("GET", "/repos/a").handler);
  BOOST_TEST(!router.match("GET", "/repos/a/b/c").handler);
  BOOST_TEST(!router.match("GET", "/repos//b").handler);
  BOOST_TEST(router.match("GET", "/files/x/y/z").params.at("*") == "x/y/z");
  auto wrong_method = router.match("DELETE", "/repos/a/b");
  BOOST_TEST(!wrong_method.handler);
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(router.match("GET", "/nowhere").status == 404);
}

BOOST_AUTO_TEST_CASE(serves_requests_over_the_client) {
  auto& s = serve(echo_router());
  ua::net::Client client(io.get_executor());
  auto a = run_coro(io, client.get(s.url() + "/repos/dani-garcia/vault%77arden"));
  BOOST_TEST(a->body == "dani-garcia|vaultwarden");  // percent-decoded path
  auto b = run_coro(io, client.get(s.url() + "/nowhere"));
  BOOST_TEST(b->status == 404);
  Request del;
  del.method = "DELETE";
  del.url = s.url() + "/repos/a/b";
  BOOST_TEST(run_coro(io, client.request(del))->status == 405);
  Request post;
  post.method = "POST";
  post.url = s.url() + "/echo";
  post.body = std::string(100000, 'b');
  BOOST_TEST(run_coro(io, client.request(post))->body.size() == 100000U);
}

BOOST_AUTO_TEST_CASE(request_body_over_the_cap_is_413) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  auto& s = serve(echo_router(), o);
  auto ex = run_coro(io, raw(s.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                            std::string(5000, 'a')));
  BOOST_TEST(ex.received.find("HTTP/1.1 413") == 0U, ex.received);
  BOOST_TEST(s.requests_served() == 0U);
}

BOOST_AUTO_TEST_CASE(expect_continue_is_answered_or_refused) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  auto& s = serve(echo_router(), o);
  auto small = run_coro(io, raw(s.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                           "Content-Length: 5\r\nConnection: close\r\n\r\nhello"));
  BOOST_TEST(small.received.find("HTTP/1.1 100 Continue") == 0U, small.received);
  BOOST_TEST(small.received.find("HTTP/1.1 200 OK") != std::string::npos);
  BOOST_TEST(small.received.substr(small.received.size() - 5) == "hello");
  auto big = run_coro(io, raw(s.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                         "Content-Length: 50000\r\n\r\n"));
  BOOST_TEST(big.received.find("HTTP/1.1 413") == 0U, big.received);
}

BOOST_AUTO_TEST_CASE(oversized_header_is_431) {
  auto& s = serve(echo_router());
  auto ex = run_coro(io, raw(s.port(), "GET /repos/a/b HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') +
                                            "\r\n\r\n"));
  BOOST_TEST(ex.received.find("HTTP/1.1 431") == 0U, ex.received.substr(0, 40));
}

BOOST_AUTO_TEST_CASE(garbage_is_400) {
  auto& s = serve(echo_router());
  auto ex = run_coro(io, raw(s.port(), "HELLO THERE\r\n\r\n"));
  BOOST_TEST(ex.received.find("HTTP/1.1 400") == 0U, ex.received);
}

BOOST_AUTO_TEST_CASE(slow_headers_are_cut_off) {
  ServerOptions o;
  o.header_timeout = 300ms;
  auto& s = serve(echo_router(), o);
  auto ex = run_coro(io, raw(s.port(), "GET /repos/a/b HTTP/1.1\r\nHost: x\r\n"));  // never finished
  BOOST_TEST(ex.received.empty());
  BOOST_TEST(ex.seconds_to_close >= 0.25);
  BOOST_TEST(ex.seconds_to_close < 1.5);
}

BOOST_AUTO_TEST_CASE(slow_body_is_cut_off) {
  ServerOptions o;
  o.body_timeout = 300ms;
  auto& s = serve(echo_router(), o);
  auto ex = run_coro(io, raw(s.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  BOOST_TEST(ex.received.empty());
  BOOST_TEST(ex.seconds_to_close < 1.5);
  BOOST_TEST(s.requests_served() == 0U);
}

BOOST_AUTO_TEST_CASE(handler_exceptions_become_500) {
  Router r;
  r.add("GET", "/boom", [](const ServerRequest&) -> ServerResponse { throw std::runtime_error("kaput"); });
  auto& s = serve(std::move(r));
  ua::net::Client client(io.get_executor());
  RequestOptions once;
  once.idempotent = false;
  auto res = run_coro(io, client.get(s.url() + "/boom", {}, once));
  BOOST_TEST(res->status == 500);
  BOOST_TEST(res->body.find("kaput") == std::string::npos);  // internals stay in the log
}

BOOST_AUTO_TEST_CASE(stop_cancels_handlers_in_flight) {
  Router r;
  r.add_async("GET", "/forever", [](const ServerRequest&) -> asio::awaitable<ServerResponse> {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await t.async_wait(asio::use_awaitable);
    co_return ServerResponse::text(200, "never");
  });
  auto& s = serve(std::move(r));
  ClientOptions co;
  co.max_attempts = 1;
  ua::net::Client client(io.get_executor(), co);
  asio::steady_timer stopper(io, 200ms);
  stopper.async_wait([&](boost::system::error_code) { s.stop(); });
  const auto start = std::chrono::steady_clock::now();
  auto res = run_coro(io, client.get(s.url() + "/forever"));
  BOOST_REQUIRE(!res.has_response());
  BOOST_TEST(res.failure().kind == FailureKind::connection, res.failure().message);
  BOOST_TEST(seconds_since(start) < 2.0);
}

BOOST_AUTO_TEST_CASE(query_parameters_are_decoded) {
  ServerRequest q;
  q.query = "per_page=100&page=2&name=a%2Fb+c&flag";
  BOOST_TEST(q.query_param("page").value() == "2");
  BOOST_TEST(q.query_param("name").value() == "a/b c");
  BOOST_TEST(q.query_param("flag").value() == "");
  BOOST_TEST(!q.query_param("missing"));
}

BOOST_AUTO_TEST_CASE(port_in_use_is_an_error) {
  auto& s = serve(echo_router());
  ServerOptions o;
  o.port = s.port();
  Server second(io.get_executor(), echo_router(), o);
  auto r = second.start();
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(s.port())) == 0U, r.error().message);
}

BOOST_AUTO_TEST_SUITE_END()
