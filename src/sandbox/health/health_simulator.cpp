#include "sandbox/health/health_simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>

namespace ua::sandbox::health {

namespace asio = boost::asio;
using net::ServerRequest;
using net::ServerResponse;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string host_of(std::string_view header_value) {
  if (!header_value.empty() && header_value.front() == '[') {
    const auto close = header_value.find(']');
    return lower(header_value.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  return lower(header_value.substr(0, header_value.find(':')));
}

}  // namespace

Answer Answer::status_only(int status) {
  Answer a;
  a.status = status;
  a.body = std::to_string(status) + "\n";
  return a;
}

Answer Answer::redirect(int status, std::string location) {
  Answer a;
  a.status = status;
  a.location = std::move(location);
  a.body.clear();
  return a;
}

Answer Answer::silent() {
  Answer a;
  a.never = true;
  return a;
}

struct Simulator::State {
  std::map<std::string, Answer> answers;  // "host" or "host/path"
  std::vector<Received> requests;

  const Answer* find(const std::string& host, const std::string& path) const {
    if (auto it = answers.find(host + path); it != answers.end()) return &it->second;
    if (path == "/") {
      if (auto it = answers.find(host); it != answers.end()) return &it->second;
    }
    return nullptr;
  }
};

namespace {

asio::awaitable<ServerResponse> handle(std::shared_ptr<Simulator::State> state, const ServerRequest& req) {
  const auto host = host_of(req.header("Host").value_or(""));
  state->requests.push_back(Received{host, req.path, 0});
  const auto index = state->requests.size() - 1;
  const Answer* found = state->find(host, req.path);
  if (!found) {
    auto res = ServerResponse::text(404, "default backend - 404");
    state->requests[index].status = res.status;
    co_return res;
  }
  const Answer answer = *found;  // the map may change while this waits
  if (answer.never || answer.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const std::chrono::milliseconds wait = answer.never ? std::chrono::hours(24) : answer.delay;
    timer.expires_after(wait);
    co_await timer.async_wait(asio::use_awaitable);  // stop() cancels it
  }
  ServerResponse res;
  if (answer.drop) {
    res.drop = true;
  } else {
    res = ServerResponse::text(answer.status, answer.body);
    res.headers.set("Content-Type", "text/html; charset=utf-8");
    if (!answer.location.empty()) res.headers.set("Location", answer.location);
  }
  state->requests[index].status = answer.drop ? 0 : res.status;
  co_return res;
}

}  // namespace

Simulator::Simulator(asio::any_io_executor executor, Options options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
  for (auto& h : options_.hosts) h = lower(h);
  net::ServerOptions server_options;
  server_options.host = options_.listen_host;
  server_options.port = options_.port;
  if (options_.tls) {
    auto pki = net::make_test_pki(options_.hosts);
    if (pki) {
      ca_pem_ = pki->ca_pem;
      server_options.tls = pki->server;
    }
  }
  net::Router router;
  router.fallback([state = state_](const ServerRequest& req) { return handle(state, req); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(server_options));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() {
  if (options_.tls && ca_pem_.empty()) {
    return core::make_error(core::ErrorKind::internal, "could not make the test certificate", "sandbox", "health");
  }
  return server_->start();
}
void Simulator::stop() { server_->stop(); }
std::uint16_t Simulator::port() const { return server_->port(); }
std::string Simulator::scheme() const { return options_.tls ? "https" : "http"; }
const std::string& Simulator::ca_pem() const { return ca_pem_; }

void Simulator::set(const std::string& host, Answer answer) { state_->answers[lower(host)] = std::move(answer); }
void Simulator::set(const std::string& host, const std::string& path, Answer answer) {
  state_->answers[lower(host) + path] = std::move(answer);
}

std::vector<config::ConnectTo> Simulator::connect_to() const {
  std::vector<config::ConnectTo> out;
  const std::uint16_t from = options_.tls ? 443 : 80;
  for (const auto& h : options_.hosts) out.push_back(config::ConnectTo{h, from, options_.listen_host, port()});
  return out;
}

std::string Simulator::connect_to_setting() const {
  std::string out;
  for (const auto& rule : connect_to()) {
    if (!out.empty()) out += ',';
    out += rule.host + ":" + std::to_string(rule.port) + ":" + rule.target_host + ":" + std::to_string(rule.target_port);
  }
  return out;
}

const std::vector<Received>& Simulator::requests() const { return state_->requests; }

std::size_t Simulator::count(const std::string& host) const {
  const auto h = lower(host);
  return static_cast<std::size_t>(
      std::count_if(state_->requests.begin(), state_->requests.end(), [&](const Received& r) { return r.host == h; }));
}

}  // namespace ua::sandbox::health
