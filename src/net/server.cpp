#include "upgrade_agent/net/server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <cctype>

#include "net/bounded.hpp"

namespace ua::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  if (!path.empty() && path.front() == '/') pos = 1;
  while (pos <= path.size()) {
    const auto next = path.find('/', pos);
    out.emplace_back(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

asio::awaitable<ServerResponse> call_sync(SyncHandler handler, const ServerRequest& request) {
  co_return handler(request);
}

asio::awaitable<ServerResponse> default_fallback(const ServerRequest& request) {
  co_return ServerResponse::text(404, "no route for " + request.path + "\n");
}

}  // namespace

std::optional<std::string> ServerRequest::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto pair = q.substr(0, amp);
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      if (eq == std::string_view::npos) return std::string();
      return percent_decode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

ServerResponse ServerResponse::json(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.set("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

ServerResponse ServerResponse::text(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

void Router::add(std::string method, std::string pattern, SyncHandler handler) {
  add_async(std::move(method), std::move(pattern),
            [h = std::move(handler)](const ServerRequest& r) { return call_sync(h, r); });
}

void Router::add_async(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(handler)});
}

void Router::fallback(Handler handler) { fallback_ = std::move(handler); }

Router::Match Router::match(std::string_view method, std::string_view path) const {
  const auto segments = split_path(path);
  Match result;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    bool ok = true;
    bool tail = false;
    for (std::size_t i = 0; ok && i < route.segments.size(); ++i) {
      const auto& pat = route.segments[i];
      if (pat == "*" && i + 1 == route.segments.size()) {
        std::string rest;
        for (std::size_t j = i; j < segments.size(); ++j) {
          if (j > i) rest += '/';
          rest += segments[j];
        }
        params["*"] = std::move(rest);
        tail = true;
      } else if (i >= segments.size()) {
        ok = false;
      } else if (pat.size() > 2 && pat.front() == '{' && pat.back() == '}') {
        ok = !segments[i].empty();
        if (ok) params[pat.substr(1, pat.size() - 2)] = segments[i];
      } else {
        ok = pat == segments[i];
      }
    }
    if (!ok || (!tail && segments.size() != route.segments.size())) continue;
    if (route.method != "*" && route.method != method) {
      result.status = 405;
      continue;
    }
    result.handler = &route.handler;
    result.params = std::move(params);
    return result;
  }
  return result;
}

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::any_io_executor ex, Router r, ServerOptions o)
      : executor(std::move(ex)), router(std::move(r)), options(std::move(o)), acceptor(executor) {}

  struct Live {
    asio::cancellation_signal signal;
    tcp::socket* socket = nullptr;
    bool answering = false;  // a handler runs or its answer is being written: never evicted
    bool evicted = false;
  };

  asio::any_io_executor executor;
  Router router;
  ServerOptions options;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> ssl;
  std::map<std::uint64_t, std::shared_ptr<Live>> live;
  std::uint64_t next_id = 0;
  std::uint16_t port = 0;
  std::size_t accepted = 0;
  std::size_t served = 0;
  std::size_t evicted = 0;
  std::size_t closing = 0;  // evicted, their sessions not yet ended
  bool stopped = false;

  asio::awaitable<void> accept_loop();
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, std::string remote, Live& state);
  // Makes room for one more connection under max_connections; false: none could be made.
  bool make_room();
  [[nodiscard]] ServerResponse own_answer(int status, std::string text) const;
  asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<Live> state);
  asio::awaitable<ServerResponse> dispatch(ServerRequest& request);
};

ServerResponse Server::Impl::own_answer(int status, std::string text) const {
  if (!options.json_errors) return ServerResponse::text(status, std::move(text) + "\n");
  std::string body = "{\"error\":\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      body += '\\';
      body += c;
    } else if (u < 0x20) {
      body += '?';
    } else {
      body += c;
    }
  }
  return ServerResponse::json(status, body + "\"}");
}

bool Server::Impl::make_room() {
  if (options.max_connections == 0 || live.size() - closing < options.max_connections) return true;
  for (auto& [id, state] : live) {  // oldest first: ids grow with each accept
    if (state->answering || state->evicted || state->socket == nullptr) continue;
    state->evicted = true;
    ++closing;
    ++evicted;
    error_code ignored;
    state->socket->close(ignored);  // its pending read ends; the session removes itself
    return true;
  }
  return false;
}

asio::awaitable<ServerResponse> Server::Impl::dispatch(ServerRequest& request) {
  auto match = router.match(request.method, request.path);
  const Handler* handler = match.handler;
  if (!handler) {
    if (match.status == 405) co_return own_answer(405, "method " + request.method + " not allowed");
    if (router.fallback_handler()) {
      handler = router.fallback_handler();
    } else if (options.json_errors) {
      co_return own_answer(404, "no route for " + request.path);
    } else {
      co_return co_await default_fallback(request);
    }
  }
  request.params = std::move(match.params);
  try {
    co_return co_await (*handler)(request);
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;  // server stopping
    spdlog::warn("handler for {} {} failed: {}", request.method, request.path, e.what());
  } catch (const std::exception& e) {
    spdlog::warn("handler for {} {} failed: {}", request.method, request.path, e.what());
  }
  co_return own_answer(500, "internal error");
}

template <class Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream, std::string remote, Live& state) {
  beast::flat_buffer buffer;
  auto reply = [&](http::response<http::string_body>& res) -> asio::awaitable<bool> {
    auto [ec, n] = co_await detail::bounded(http::async_write(stream, res, detail::kTupleAwaitable),
                                            Clock::now() + options.write_timeout);
    (void)n;
    co_return !ec;
  };
  auto simple = [this](int status, std::string_view text) {
    auto answer = own_answer(status, std::string(text));
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, answer.headers.get("Content-Type").value_or("text/plain; charset=utf-8"));
    res.body() = std::move(answer.body);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
  };

  const std::string too_large = "request body too large: at most " + std::to_string(options.max_body_bytes) + " bytes";
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    auto [hec, hn] = co_await detail::bounded(http::async_read_header(stream, buffer, parser, detail::kTupleAwaitable),
                                              Clock::now() + options.header_timeout);
    (void)hn;
    if (hec == http::error::header_limit) {
      auto res = simple(431, "request header fields too large");
      co_await reply(res);
      co_return;
    }
    if (hec == http::error::body_limit) {
      auto res = simple(413, too_large);
      co_await reply(res);
      co_return;
    }
    if (hec) {
      if (hec.category() == http::make_error_code(http::error::bad_version).category() &&
          hec != http::error::end_of_stream && hec != http::error::partial_message) {
        auto res = simple(400, "bad request");
        co_await reply(res);
      }
      co_return;  // timeout, closed by the peer, or a cancelled server
    }
    if (const auto expect = parser.get()[http::field::expect]; iequals(expect, "100-continue")) {
      if (parser.content_length() && *parser.content_length() > options.max_body_bytes) {
        auto res = simple(413, too_large);
        co_await reply(res);
        co_return;
      }
      http::response<http::empty_body> cont{http::status::continue_, 11};
      auto [cec, cn] = co_await detail::bounded(http::async_write(stream, cont, detail::kTupleAwaitable),
                                                Clock::now() + options.write_timeout);
      (void)cn;
      if (cec) co_return;
    }
    if (!parser.is_done()) {
      auto [bec, bn] = co_await detail::bounded(http::async_read(stream, buffer, parser, detail::kTupleAwaitable),
                                                Clock::now() + options.body_timeout);
      (void)bn;
      if (bec == http::error::body_limit) {
        auto res = simple(413, too_large);
        co_await reply(res);
        co_return;
      }
      if (bec) co_return;
    }

    auto& msg = parser.get();
    ServerRequest request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.remote = remote;
    const auto q = request.target.find('?');
    auto decoded = percent_decode(std::string_view(request.target).substr(0, q), false);
    if (!decoded) {
      auto res = simple(400, "bad percent-encoding in path");
      co_await reply(res);
      co_return;
    }
    request.path = std::move(*decoded);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : msg) request.headers.add(std::string(field.name_string()), std::string(field.value()));
    request.body = std::move(msg.body());
    const bool client_keep_alive = msg.keep_alive();

    state.answering = true;
    ServerResponse answer = co_await dispatch(request);
    ++served;
    if (answer.drop) co_return;

    http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
    for (const auto& [name, value] : answer.headers.fields()) {
      if (iequals(name, "Content-Length") || iequals(name, "Connection")) continue;
      res.insert(name, value);
    }
    res.body() = std::move(answer.body);
    const bool keep = client_keep_alive && !answer.close;
    res.keep_alive(keep);
    res.prepare_payload();
    if (request.method == "HEAD") res.body().clear();
    const bool sent = co_await reply(res);
    state.answering = false;
    if (!sent || !keep) co_return;
  }
}

asio::awaitable<void> Server::Impl::session(tcp::socket socket, std::shared_ptr<Live> state) {
  auto self = shared_from_this();
  // Each session is the entry of a co_spawned chain of its own (see
  // accept_loop): this policy is the session's and its handlers', nobody else's.
  co_await asio::this_coro::throw_if_cancelled(false);
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port());
  try {
    if (ssl) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl);
      state->socket = &beast::get_lowest_layer(stream).socket();
      auto [hec] = co_await detail::bounded(stream.async_handshake(asio::ssl::stream_base::server, detail::kTupleAwaitable),
                                            Clock::now() + options.header_timeout);
      if (!hec) {
        co_await serve(stream, remote, *state);
        co_await detail::bounded(stream.async_shutdown(detail::kTupleAwaitable), Clock::now() + std::chrono::seconds(1));
      }
      state->socket = nullptr;
      beast::get_lowest_layer(stream).socket().close(ec);
    } else {
      beast::tcp_stream stream(std::move(socket));
      state->socket = &stream.socket();
      co_await serve(stream, remote, *state);
      state->socket = nullptr;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream.socket().close(ec);
    }
  } catch (const boost::system::system_error&) {
    state->socket = nullptr;  // cancelled handler on stop()
  }
}

asio::awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  // Only ever co_spawned (start()): an entry coroutine, so its policy is its own.
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(detail::kTupleAwaitable);
    if (ec == asio::error::operation_aborted || stopped) co_return;
    if (ec) {
      // Out of descriptors and the like: keep serving the connections we have.
      spdlog::warn("accept on port {} failed: {}", port, ec.message());
      asio::steady_timer pause(executor, std::chrono::milliseconds(50));
      auto [pec] = co_await pause.async_wait(detail::kTupleAwaitable);
      if (pec) co_return;
      continue;
    }
    ++accepted;
    if (!make_room()) {
      error_code ignored;
      socket.close(ignored);  // every connection is being answered: this one waits for none
      continue;
    }
    error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);  // answers go out whole, never held by Nagle
    const auto id = next_id++;
    auto state = std::make_shared<Live>();
    live.emplace(id, state);
    asio::co_spawn(executor, session(std::move(socket), state),
                   asio::bind_cancellation_slot(state->signal.slot(), [self, id, state](const std::exception_ptr&) {
                     if (state->evicted) --self->closing;
                     self->live.erase(id);
                   }));
  }
}

Server::Server(asio::any_io_executor executor, Router router, ServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(router), std::move(options))) {}

Server::~Server() { stop(); }

core::Expected<std::uint16_t> Server::start() {
  auto& impl = *impl_;
  if (impl.options.tls) {
    impl.ssl.emplace(asio::ssl::context::tls_server);
    error_code ec;
    impl.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1);
    impl.ssl->use_certificate_chain(asio::buffer(impl.options.tls->certificate_chain_pem), ec);
    if (!ec) impl.ssl->use_private_key(asio::buffer(impl.options.tls->private_key_pem), asio::ssl::context::pem, ec);
    if (ec) return core::make_error("server TLS identity unusable: " + ec.message());
    if (!impl.options.client_ca_pem.empty()) {
      impl.ssl->add_certificate_authority(asio::buffer(impl.options.client_ca_pem), ec);
      if (ec) return core::make_error("client CA certificate unusable: " + ec.message());
      impl.ssl->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
  }
  error_code ec;
  const auto address = asio::ip::make_address(impl.options.host, ec);
  if (ec) return core::make_error("cannot listen on '" + impl.options.host + "': not an IP address");
  const tcp::endpoint endpoint(address, impl.options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::make_error("cannot listen on " + impl.options.host + ":" + std::to_string(impl.options.port) + ": " +
                            ec.message());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  asio::co_spawn(impl.executor, impl.accept_loop(), asio::detached);
  return impl.port;
}

void Server::stop() {
  auto impl = impl_;
  if (impl->stopped) return;
  impl->stopped = true;
  error_code ec;
  impl->acceptor.close(ec);  // frees the port now
  // Cancelling a co_spawned session from outside the event loop would post the
  // cancellation, which could then run after the session ended (and its
  // cancellation state with it). Dispatching runs it inside the loop, where
  // the cancellation reaches the session before any completion can.
  asio::dispatch(impl->executor, [impl] {
    auto live = impl->live;  // a session that ends while being cancelled removes itself
    for (auto& [id, state] : live) {
      state->signal.emit(asio::cancellation_type::terminal);
      error_code ignored;
      if (state->socket) state->socket->close(ignored);
    }
  });
}

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const {
  const auto& host = impl_->options.host;
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(impl_->options.tls ? "https" : "http") + "://" + h + ":" + std::to_string(impl_->port);
}

std::size_t Server::connections_accepted() const { return impl_->accepted; }
std::size_t Server::requests_served() const { return impl_->served; }
std::size_t Server::connections_open() const { return impl_->live.size(); }
std::size_t Server::connections_evicted() const { return impl_->evicted; }

}  // namespace ua::net
