#pragma once
// The services' front doors: one server answering for many ingress hosts by
// their Host header, each with a programmable answer (a status, a redirect, a
// delay, no answer at all). Reached the way the agent reaches real hosts
// through UPGRADE_AGENT_CONNECT_TO, so https://immich.example.org lands here,
// over TLS with a certificate for every host (net::make_test_pki) or plain
// HTTP.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::health {

struct Answer {
  int status = 200;
  std::string location;               // Location header (redirects)
  std::string body = "ok\n";
  std::chrono::milliseconds delay{0};  // answer this late
  bool never = false;                  // read the request and never answer
  bool drop = false;                   // close the connection without answering

  static Answer ok() { return {}; }
  static Answer status_only(int status);
  static Answer redirect(int status, std::string location);
  static Answer silent();  // never answers
};

struct Options {
  std::vector<std::string> hosts;  // the names the certificate carries (TLS)
  bool tls = true;
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
};

struct Received {
  std::string host;  // the Host header without a port
  std::string path;
  int status = 0;    // 0: not answered
};

class Simulator {
 public:
  Simulator(boost::asio::any_io_executor executor, Options options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string scheme() const;          // UPGRADE_AGENT_HEALTH_SCHEME
  [[nodiscard]] const std::string& ca_pem() const;   // the CA that signed the certificate (TLS)

  // The answer for `host` at "/" (or at `path`); unknown hosts answer 404 as
  // an ingress controller's default backend does.
  void set(const std::string& host, Answer answer);
  void set(const std::string& host, const std::string& path, Answer answer);

  // host:443 (or :80) -> 127.0.0.1:port for every host in the options.
  [[nodiscard]] std::vector<config::ConnectTo> connect_to() const;
  [[nodiscard]] std::string connect_to_setting() const;  // the same as UPGRADE_AGENT_CONNECT_TO text

  [[nodiscard]] const std::vector<Received>& requests() const;
  [[nodiscard]] std::size_t count(const std::string& host) const;

  struct State;

 private:
  Options options_;
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
  std::string ca_pem_;
};

}  // namespace ua::sandbox::health
