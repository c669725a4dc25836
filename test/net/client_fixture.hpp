#pragma once
// An io_context with local servers and the client options the suites share:
// short backoffs and timeouts, so failures show within a test's second.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "net/support.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::test {

struct ClientFixture {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<net::Server>> servers;

  net::Server& serve(net::Router router, net::ServerOptions options = {}) {
    servers.push_back(std::make_unique<net::Server>(io.get_executor(), std::move(router), std::move(options)));
    auto port = servers.back()->start();
    BOOST_REQUIRE_MESSAGE(port, "server start");
    return *servers.back();
  }

  static net::ClientOptions fast_options() {
    using namespace std::chrono_literals;
    net::ClientOptions o;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    o.read_timeout = 2s;
    o.connect_timeout = 2s;
    return o;
  }

  net::Result get(net::Client& client, const std::string& url, net::Headers headers = {},
                  net::RequestOptions options = {}) {
    return run_coro(io, client.get(url, std::move(headers), options));
  }
  net::Result send(net::Client& client, net::Request req, net::RequestOptions options = {}) {
    return run_coro(io, client.request(std::move(req), options));
  }

  ~ClientFixture() {
    for (auto& s : servers) s->stop();
    io.restart();
    io.poll();
  }
  ClientFixture() = default;
  ClientFixture(const ClientFixture&) = delete;
  ClientFixture& operator=(const ClientFixture&) = delete;
};

// A handler answering `r` after `d`: the slow server of the timeout and
// cancellation tests.
inline boost::asio::awaitable<net::ServerResponse> delayed(net::Duration d, net::ServerResponse r) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
  co_return r;
}

}  // namespace ua::test
