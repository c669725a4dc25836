#pragma once
// A small HTTP/1.1 server for the simulators and the `serve` webhook daemon:
// a router of (method, path pattern) -> handler, one coroutine per
// connection, request size caps and header/body read timeouts. Optional TLS.
//
// Like the Client, a Server belongs to one executor.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/http.hpp"

namespace ua::net {

struct ServerRequest {
  std::string method;
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path
  std::string query;   // raw query, without '?'
  Headers headers;
  std::string body;
  std::map<std::string, std::string> params;  // "{name}" segments of the route; "*" for a tail
  std::string remote;                         // peer address

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
  // First value of a query parameter, percent-decoded.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  Headers headers;
  std::string body;
  bool close = false;  // close the connection after this response
  bool drop = false;   // close the connection without answering (tests of broken servers)

  static ServerResponse json(int status, std::string body);
  static ServerResponse text(int status, std::string body);
};

using Handler = std::function<boost::asio::awaitable<ServerResponse>(const ServerRequest&)>;
using SyncHandler = std::function<ServerResponse(const ServerRequest&)>;

// Patterns are paths whose segments may be "{name}" (one segment) and whose
// last segment may be "*" (the rest). The first route added that matches wins.
// A path that matches with another method answers 405.
class Router {
 public:
  void add(std::string method, std::string pattern, SyncHandler handler);
  void add_async(std::string method, std::string pattern, Handler handler);
  // Answers everything no route matches (default: 404 text).
  void fallback(Handler handler);

  struct Match {
    const Handler* handler = nullptr;
    std::map<std::string, std::string> params;
    int status = 404;  // when handler is null: 404 or 405
  };
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;
  [[nodiscard]] const Handler* fallback_handler() const { return fallback_ ? &fallback_ : nullptr; }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  Handler fallback_;
};

struct TlsIdentity {
  std::string certificate_chain_pem;
  std::string private_key_pem;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::size_t max_header_bytes = 16U << 10U;
  std::size_t max_body_bytes = 1U << 20U;
  Duration header_timeout = std::chrono::seconds(10);  // first byte to end of headers; also keep-alive idle
  Duration body_timeout = std::chrono::seconds(30);
  Duration write_timeout = std::chrono::seconds(30);
  std::optional<TlsIdentity> tls;
  // With tls: non-empty means every client must present a certificate this
  // CA signed, or the handshake fails (Kubernetes API servers, tests).
  std::string client_ca_pem;
  // 0: no limit. At the limit, a new connection makes the server close the
  // oldest one that is not being answered (idle between requests, or still
  // sending its request); when every one is being answered, the new one is
  // closed. Keeps a flood of held connections from using up the descriptors
  // that /healthz and real clients need.
  std::size_t max_connections = 0;
  // The server's own answers (400, 404 without fallback, 405, 413, 431) as
  // JSON {"error": "..."} instead of plain text.
  bool json_errors = false;
};

class Server {
 public:
  Server(boost::asio::any_io_executor executor, Router router, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; the bound port (useful with port 0).
  core::Expected<std::uint16_t> start();
  // Stops accepting, closes every connection and cancels running handlers.
  void stop();

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT" (https with TLS)
  [[nodiscard]] std::size_t connections_accepted() const;
  [[nodiscard]] std::size_t requests_served() const;
  // Connections open now, and those closed to stay under max_connections.
  [[nodiscard]] std::size_t connections_open() const;
  [[nodiscard]] std::size_t connections_evicted() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// A throwaway CA and a server certificate it signed, for local TLS servers
// (tests, sandbox): names become subjectAltName DNS entries, or IP entries
// when they parse as addresses.
struct TestPki {
  std::string ca_pem;
  TlsIdentity server;
  TlsIdentity client;  // a client certificate (clientAuth) from the same CA
};
core::Expected<TestPki> make_test_pki(const std::vector<std::string>& names);

}  // namespace ua::net
