#pragma once
// The one HTTP(S) client of the agent (HTTP/1.1 over Beast, one coroutine per
// request). Keep-alive connections are reused per (scheme, host, port). TLS
// verifies the certificate chain against the system trust store and the host
// name. Timeouts and deadlines cancel the pending operation; nothing polls.
//
// A Client belongs to one executor (the agent's event-loop thread): call
// request() only from coroutines running there.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/net/http.hpp"

namespace ua::net {

struct ClientOptions {
  Duration connect_timeout = std::chrono::seconds(10);  // resolve + TCP + TLS handshake
  Duration read_timeout = std::chrono::seconds(30);     // longest silence while sending or receiving
  Duration request_timeout = std::chrono::seconds(60);  // whole request (redirects, retries) without a caller deadline
  std::size_t max_body_bytes = 32U << 20U;
  unsigned max_redirects = 3;
  unsigned max_attempts = 4;  // per hop: the first try and up to 3 retries
  Duration backoff_initial = std::chrono::milliseconds(250);
  Duration backoff_max = std::chrono::seconds(8);
  std::vector<config::ConnectTo> connect_to;  // UPGRADE_AGENT_CONNECT_TO
  std::string user_agent = "upgrade-agent";
  std::string extra_ca_pem;  // trusted in addition to the system store (private CAs, tests)
  // Presented when a server asks for a client certificate (Kubernetes API
  // servers): the PEM certificate (chain) and its private key; both or neither.
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::size_t max_idle_per_host = 4;
  Duration idle_keep = std::chrono::seconds(30);  // an idle connection older than this is not reused
};

struct RequestOptions {
  // The caller's deadline; the request never outlives it (retries and waits
  // included). Unset: now + ClientOptions::request_timeout.
  std::optional<Clock::time_point> deadline;
  std::optional<std::size_t> max_body_bytes;
  // Unset: GET, HEAD, OPTIONS, PUT, DELETE are idempotent (RFC 9110 9.2.2).
  // Only idempotent requests are retried.
  std::optional<bool> idempotent;
  bool follow_redirects = true;
};

struct ClientStats {
  std::size_t connections_opened = 0;
  std::size_t connections_reused = 0;
  std::size_t retries = 0;
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Never throws for network trouble: a Response (any status) or a Failure.
  // Cancellation by the caller (cancellation slot, `||`) ends it with
  // FailureKind::cancelled.
  boost::asio::awaitable<Result> request(Request request, RequestOptions options = {});
  boost::asio::awaitable<Result> get(std::string url, Headers headers = {}, RequestOptions options = {});

  [[nodiscard]] const ClientOptions& options() const;
  [[nodiscard]] ClientStats stats() const;
  // Closes idle keep-alive connections (requests in flight are not touched).
  void close_idle();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The first matching UPGRADE_AGENT_CONNECT_TO rule's target for host:port, or
// host:port itself: the request keeps its Host header, SNI and certificate
// check for `host`.
std::pair<std::string, std::uint16_t> apply_connect_to(const std::vector<config::ConnectTo>& rules,
                                                       const std::string& host, std::uint16_t port);

}  // namespace ua::net
