#pragma once
// A registry that answers what each test tells it to, on net::Server, and
// remembers every request: for the answers the reference registry never gives
// (pages, opaque tokens, odd challenges, missing headers, other hosts).
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/net/server.hpp"

namespace ua::test {

struct FakeServer {
  using Handle = std::function<net::ServerResponse(const net::ServerRequest&)>;

  std::unique_ptr<net::Server> server;
  std::vector<net::ServerRequest> seen;
  Handle handle;
  std::chrono::milliseconds delay{0};  // before each answer (slow servers)

  explicit FakeServer(boost::asio::io_context& io, std::optional<net::TlsIdentity> tls = std::nullopt) {
    net::Router router;
    router.fallback([this](const net::ServerRequest& req) -> boost::asio::awaitable<net::ServerResponse> {
      seen.push_back(req);
      if (delay.count() > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        timer.expires_after(delay);
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      co_return handle ? handle(req) : net::ServerResponse::text(500, "no handler\n");
    });
    net::ServerOptions options;
    options.tls = std::move(tls);
    server = std::make_unique<net::Server>(io.get_executor(), std::move(router), options);
    BOOST_REQUIRE(server->start());
  }
  ~FakeServer() { server->stop(); }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  [[nodiscard]] std::string url() const { return server->url(); }
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(server->port()); }

  // Requests whose path starts with `prefix`.
  [[nodiscard]] std::vector<net::ServerRequest> requests(const std::string& prefix) const {
    std::vector<net::ServerRequest> out;
    for (const auto& r : seen) {
      if (r.path.rfind(prefix, 0) == 0) out.push_back(r);
    }
    return out;
  }
};

inline net::ServerResponse with_header(net::ServerResponse r, const std::string& name, const std::string& value) {
  r.headers.add(name, value);
  return r;
}

inline net::ServerResponse challenge(const std::string& value) {
  return with_header(net::ServerResponse::json(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"),
                     "WWW-Authenticate", value);
}

}  // namespace ua::test
