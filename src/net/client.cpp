#include "upgrade_agent/net/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <deque>
#include <map>
#include <random>

#include "net/bounded.hpp"
#include "upgrade_agent/net/retry.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

namespace {

constexpr std::size_t kMaxHeaderBytes = 64U << 10U;

struct Connection {
  std::string key;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  bool reused = false;

  tcp::socket& socket() { return tls ? beast::get_lowest_layer(*tls).socket() : plain->socket(); }
  void close() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }
  // A kept-alive connection the server has since closed (or written to out of
  // turn) reads as end-of-file or data right away.
  bool still_quiet() {
    if (!socket().is_open() || buffer.size() != 0) return false;
    std::array<char, 1> probe{};
    const auto n = ::recv(socket().native_handle(), probe.data(), probe.size(), MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// What one try on one connection gave.
struct Attempt {
  std::optional<Response> response;
  std::optional<Failure> failure;
  bool retryable = false;    // a connection problem a new try may not have
  bool stale_reuse = false;  // a reused keep-alive connection broke before any answer
  bool send_failed = false;  // broke while sending: the server cannot have acted on it
  bool keep_alive = false;   // the connection may serve another request
};

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE" ||
         method == "TRACE";
}

bool valid_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool valid_field_value(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string pool_key(const Url& url) { return url.scheme + "://" + url.host + ":" + std::to_string(url.port); }

}  // namespace

std::pair<std::string, std::uint16_t> apply_connect_to(const std::vector<config::ConnectTo>& rules,
                                                       const std::string& host, std::uint16_t port) {
  for (const auto& rule : rules) {
    if (!rule.host.empty() && !iequals(rule.host, host)) continue;
    if (rule.port != 0 && rule.port != port) continue;
    return {rule.target_host.empty() ? host : rule.target_host, rule.target_port == 0 ? port : rule.target_port};
  }
  return {host, port};
}

struct Client::Impl {
  Impl(asio::any_io_executor ex, ClientOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), rng(std::random_device{}()) {
    error_code ec;
    ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    ssl.set_default_verify_paths(ec);
    if (ec) ssl_problem = "cannot load the system trust store: " + ec.message();
    if (!options.extra_ca_pem.empty()) {
      ssl.add_certificate_authority(asio::buffer(options.extra_ca_pem), ec);
      if (ec) ssl_problem = "cannot load the extra CA certificate: " + ec.message();
    }
    if (!options.client_certificate_pem.empty() || !options.client_key_pem.empty()) {
      ssl.use_certificate_chain(asio::buffer(options.client_certificate_pem), ec);
      if (ec) {
        ssl_problem = "cannot load the client certificate: " + ec.message();
      } else {
        ssl.use_private_key(asio::buffer(options.client_key_pem), asio::ssl::context::pem, ec);
        if (ec) ssl_problem = "cannot load the client certificate's key: " + ec.message();
      }
    }
    ssl.set_verify_mode(asio::ssl::verify_peer);
  }

  asio::any_io_executor executor;
  ClientOptions options;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::string ssl_problem;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
  ClientStats stats;
  std::mt19937_64 rng;

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      auto conn = std::move(list.back());
      list.pop_back();
      if (Clock::now() - conn->idle_since < options.idle_keep && conn->still_quiet()) {
        conn->reused = true;
        ++stats.connections_reused;
        return conn;
      }
      conn->close();
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> conn) {
    auto& list = idle[conn->key];
    if (list.size() >= options.max_idle_per_host) {
      conn->close();
      return;
    }
    conn->idle_since = Clock::now();
    conn->reused = false;
    list.push_back(std::move(conn));
  }

  asio::awaitable<Attempt> open(const Url& url, const std::string& what, Clock::time_point deadline,
                                std::unique_ptr<Connection>& out);
  asio::awaitable<Attempt> attempt(const Url& url, const Request& req, std::size_t max_body,
                                   Clock::time_point deadline, const std::string& what);
  template <class Stream>
  asio::awaitable<Attempt> converse(Stream& stream, Connection& conn, const Url& url, const Request& req,
                                    std::size_t max_body, Clock::time_point deadline, const std::string& what);
  asio::awaitable<Attempt> with_retries(const Url& url, const Request& req, bool idempotent, std::size_t max_body,
                                        Clock::time_point deadline, const std::string& what);
};

namespace {

Attempt fail(FailureKind kind, std::string message, bool retryable = false) {
  Attempt a;
  a.failure = Failure{kind, std::move(message)};
  a.retryable = retryable;
  return a;
}

// Why an operation bounded by `until` timed out: the caller's deadline or the
// per-operation limit.
std::string timeout_reason(Clock::time_point until, Clock::time_point deadline, Duration limit,
                           std::string_view doing) {
  if (until >= deadline) return "request deadline reached while " + std::string(doing);
  return "no progress within " + describe(limit) + " while " + std::string(doing);
}

}  // namespace

asio::awaitable<Attempt> Client::Impl::open(const Url& url, const std::string& what, Clock::time_point deadline,
                                            std::unique_ptr<Connection>& out) {
  const auto [host, port] = apply_connect_to(options.connect_to, url.host, url.port);
  const auto until = std::min(deadline, Clock::now() + options.connect_timeout);
  const std::string where = host == url.host && port == url.port
                                ? std::string()
                                : " (connecting to " + host + ":" + std::to_string(port) + ")";

  tcp::resolver resolver(executor);
  // Named locals, not temporaries inside the co_await (the g++ 12 rule in the README).
  const std::string service = std::to_string(port);
  auto resolving = resolver.async_resolve(host, service, detail::kTupleAwaitable);
  auto [rec, endpoints] = co_await detail::bounded(std::move(resolving), until);
  if (rec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
  if (rec == asio::error::timed_out) {
    co_return fail(FailureKind::timeout,
                   what + where + ": " + timeout_reason(until, deadline, options.connect_timeout, "resolving the host"),
                   true);
  }
  if (rec) co_return fail(FailureKind::resolve, what + where + ": cannot resolve host: " + rec.message(), true);

  auto conn = std::make_unique<Connection>();
  conn->key = pool_key(url);
  beast::tcp_stream* lowest = nullptr;
  if (url.tls()) {
    if (!ssl_problem.empty()) co_return fail(FailureKind::tls, what + ": " + ssl_problem);
    conn->tls.emplace(executor, ssl);
    lowest = &beast::get_lowest_layer(*conn->tls);
  } else {
    conn->plain.emplace(executor);
    lowest = &*conn->plain;
  }
  auto [cec, endpoint] = co_await detail::bounded(lowest->async_connect(endpoints, detail::kTupleAwaitable), until);
  (void)endpoint;
  if (cec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
  if (cec == asio::error::timed_out) {
    co_return fail(FailureKind::timeout,
                   what + where + ": " + timeout_reason(until, deadline, options.connect_timeout, "connecting"), true);
  }
  if (cec) co_return fail(FailureKind::connect, what + where + ": cannot connect: " + cec.message(), true);
  lowest->socket().set_option(tcp::no_delay(true));

  if (conn->tls) {
    SSL* handle = conn->tls->native_handle();
    if (is_ip_literal(url.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), url.host.c_str());
    } else {
      // SNI and the name the certificate must carry are the URL's host, even
      // when UPGRADE_AGENT_CONNECT_TO sends the bytes elsewhere.
      SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str()));
      SSL_set1_host(handle, url.host.c_str());
    }
    auto [hec] = co_await detail::bounded(
        conn->tls->async_handshake(asio::ssl::stream_base::client, detail::kTupleAwaitable), until);
    if (hec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
    if (hec == asio::error::timed_out) {
      co_return fail(FailureKind::timeout,
                     what + where + ": " + timeout_reason(until, deadline, options.connect_timeout, "in the TLS handshake"),
                     true);
    }
    if (hec) {
      const long verify = SSL_get_verify_result(handle);
      if (verify != X509_V_OK) {
        co_return fail(FailureKind::tls, what + where + ": certificate of " + url.host +
                                             " not accepted: " + X509_verify_cert_error_string(verify));
      }
      co_return fail(FailureKind::tls, what + where + ": TLS handshake failed: " + hec.message());
    }
  }
  ++stats.connections_opened;
  out = std::move(conn);
  co_return Attempt{};
}

template <class Stream>
asio::awaitable<Attempt> Client::Impl::converse(Stream& stream, Connection& conn, const Url& url, const Request& req,
                                                std::size_t max_body, Clock::time_point deadline,
                                                const std::string& what) {
  http::request<http::string_body> msg;
  msg.version(11);
  msg.method_string(req.method);
  msg.target(url.target);
  msg.set(http::field::host, url.authority());
  if (!req.headers.contains("User-Agent")) msg.set(http::field::user_agent, options.user_agent);
  for (const auto& [name, value] : req.headers.fields()) {
    if (iequals(name, "Host") || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    msg.insert(name, value);
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    msg.body() = req.body;
    msg.prepare_payload();
  }
  msg.keep_alive(true);

  const auto write_until = std::min(deadline, Clock::now() + options.read_timeout);
  auto [wec, written] = co_await detail::bounded(http::async_write(stream, msg, detail::kTupleAwaitable), write_until);
  (void)written;
  if (wec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
  if (wec == asio::error::timed_out) {
    co_return fail(FailureKind::timeout,
                   what + ": " + timeout_reason(write_until, deadline, options.read_timeout, "sending the request"),
                   true);
  }
  if (wec) {
    auto a = fail(FailureKind::connection, what + ": connection broke while sending: " + wec.message(), true);
    a.stale_reuse = conn.reused;
    a.send_failed = true;
    co_return a;
  }

  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  parser.body_limit(max_body);
  if (req.method == "HEAD") parser.skip(true);

  auto read_until = std::min(deadline, Clock::now() + options.read_timeout);
  auto [hec, hn] =
      co_await detail::bounded(http::async_read_header(stream, conn.buffer, parser, detail::kTupleAwaitable), read_until);
  (void)hn;
  bool got_header = !hec;
  while (!hec && !parser.is_done()) {
    read_until = std::min(deadline, Clock::now() + options.read_timeout);
    auto [bec, bn] =
        co_await detail::bounded(http::async_read_some(stream, conn.buffer, parser, detail::kTupleAwaitable), read_until);
    (void)bn;
    hec = bec;
  }
  if (hec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
  if (hec == asio::error::timed_out) {
    co_return fail(FailureKind::timeout,
                   what + ": " + timeout_reason(read_until, deadline, options.read_timeout,
                                                got_header ? "reading the response body" : "waiting for the response"),
                   true);
  }
  if (hec == http::error::body_limit) {
    co_return fail(FailureKind::body_too_large,
                   what + ": response body exceeds the limit of " + std::to_string(max_body) + " bytes");
  }
  if (hec == http::error::header_limit) {
    co_return fail(FailureKind::protocol,
                   what + ": response header exceeds the limit of " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (hec) {
    const bool closed = hec == http::error::end_of_stream || hec == asio::error::eof ||
                        hec == asio::error::connection_reset || hec == asio::error::broken_pipe ||
                        hec == asio::ssl::error::stream_truncated || hec == http::error::partial_message;
    if (closed) {
      auto a = fail(FailureKind::connection,
                    what + ": connection closed " + (got_header ? "in the middle of the response" : "before any response") +
                        " (" + hec.message() + ")",
                    true);
      a.stale_reuse = conn.reused && !got_header;
      co_return a;
    }
    if (hec.category() == http::make_error_code(http::error::bad_version).category()) {
      co_return fail(FailureKind::protocol, what + ": the answer is not valid HTTP/1.1 (" + hec.message() + ")");
    }
    co_return fail(FailureKind::connection, what + ": " + hec.message(), true);
  }

  auto& res = parser.get();
  Attempt a;
  Response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  out.url = url.to_string();
  a.response = std::move(out);
  a.keep_alive = res.keep_alive();
  co_return a;
}

asio::awaitable<Attempt> Client::Impl::attempt(const Url& url, const Request& req, std::size_t max_body,
                                               Clock::time_point deadline, const std::string& what) {
  auto conn = take_idle(pool_key(url));
  if (!conn) {
    auto opened = co_await open(url, what, deadline, conn);
    if (opened.failure) co_return opened;
  }
  // (Not a conditional expression: g++ 12 miscompiles co_await inside ?:.)
  Attempt a;
  if (conn->tls) {
    a = co_await converse(*conn->tls, *conn, url, req, max_body, deadline, what);
  } else {
    a = co_await converse(*conn->plain, *conn, url, req, max_body, deadline, what);
  }
  if (a.response) {
    if (a.keep_alive) {
      give_back(std::move(conn));
    } else {
      conn->close();
    }
  } else {
    conn->close();
  }
  co_return a;
}

asio::awaitable<Attempt> Client::Impl::with_retries(const Url& url, const Request& req, bool idempotent,
                                                    std::size_t max_body, Clock::time_point deadline,
                                                    const std::string& what) {
  bool fresh_retry_used = false;
  const unsigned max_attempts = std::max(1U, options.max_attempts);
  for (unsigned attempt_no = 1;; ++attempt_no) {
    // A cancellation that came between two operations was signalled to none:
    // the state remembers it.
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return fail(FailureKind::cancelled, what + ": cancelled");
    Attempt a = co_await attempt(url, req, max_body, deadline, what);
    if (a.failure && a.failure->kind == FailureKind::cancelled) co_return a;
    // A keep-alive connection the server closed meanwhile: the request never
    // reached it, so one more try on a new connection is not a retry.
    if (a.stale_reuse && !fresh_retry_used && (idempotent || a.send_failed)) {
      fresh_retry_used = true;
      --attempt_no;
      continue;
    }
    const bool may_retry = idempotent && attempt_no < max_attempts;
    Duration wait{};
    if (a.response) {
      a.response->attempts = attempt_no;
      if (!retryable_status(a.response->status) || !may_retry) co_return a;
      const auto now = std::chrono::system_clock::now();
      std::optional<Duration> hinted;
      if (const auto ra = a.response->header("Retry-After"); ra && (a.response->status == 429 || a.response->status == 503)) {
        hinted = parse_retry_after(*ra, now);
      }
      if (!hinted && a.response->status == 429 && a.response->header("x-ratelimit-remaining") == std::string("0")) {
        if (const auto reset = a.response->header("x-ratelimit-reset")) hinted = parse_ratelimit_reset(*reset, now);
      }
      wait = hinted ? *hinted : backoff_delay(attempt_no, options.backoff_initial, options.backoff_max, rng());
    } else {
      if (!a.retryable || !may_retry) {
        if (attempt_no > 1) a.failure->message += " (after " + std::to_string(attempt_no) + " attempts)";
        co_return a;
      }
      wait = backoff_delay(attempt_no, options.backoff_initial, options.backoff_max, rng());
    }
    if (Clock::now() + wait >= deadline) {
      // No time for another try: the caller gets what the last one gave.
      if (a.failure) {
        a.failure->message += " (after " + std::to_string(attempt_no) + " attempt" + (attempt_no > 1 ? "s" : "") +
                              "; no time left for another within the deadline)";
      }
      co_return a;
    }
    ++stats.retries;
    spdlog::debug("{}: {}; retrying in {}", what,
                  a.response ? "status " + std::to_string(a.response->status) : a.failure->message, describe(wait));
    asio::steady_timer timer(executor);
    timer.expires_after(wait);
    auto [tec] = co_await timer.async_wait(detail::kTupleAwaitable);
    if (tec == asio::error::operation_aborted) co_return fail(FailureKind::cancelled, what + ": cancelled");
  }
}

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Client::~Client() { close_idle(); }

const ClientOptions& Client::options() const { return impl_->options; }
ClientStats Client::stats() const { return impl_->stats; }

void Client::close_idle() {
  for (auto& [key, list] : impl_->idle) {
    for (auto& conn : list) conn->close();
  }
  impl_->idle.clear();
}

asio::awaitable<Result> Client::get(std::string url, Headers headers, RequestOptions options) {
  Request req;
  req.url = std::move(url);
  req.headers = std::move(headers);
  Result result = co_await request(std::move(req), options);
  co_return result;
}

namespace {

// Whatever cancellation the caller lets through (terminal, partial or total)
// ends the request: the operations below are only sure to honour terminal.
asio::cancellation_type_t any_as_all(asio::cancellation_type_t type) {
  return type == asio::cancellation_type::none ? asio::cancellation_type::none : asio::cancellation_type::all;
}

asio::awaitable<Result> perform(std::shared_ptr<Client::Impl> impl, Request req, RequestOptions opts) {
  // The entry of the request's own chain: its policy is set here, once.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation(), any_as_all);
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto deadline = opts.deadline.value_or(Clock::now() + impl->options.request_timeout);
  const auto max_body = opts.max_body_bytes.value_or(impl->options.max_body_bytes);

  if (!valid_token(req.method)) co_return Failure{FailureKind::invalid_request, "invalid HTTP method"};
  auto parsed = parse_url(req.url);
  if (!parsed) {
    co_return Failure{FailureKind::invalid_request, req.method + ": invalid URL: " + parsed.error().message, req.method};
  }
  Url url = std::move(*parsed);
  for (const auto& [name, value] : req.headers.fields()) {
    if (!valid_token(name) || !valid_field_value(value)) {
      std::string operation = req.method + " " + url.for_messages(req.redact_path);
      std::string message = operation + ": header '" + (valid_token(name) ? name : std::string("?")) +
                            "' has a forbidden character";
      co_return Failure{FailureKind::invalid_request, std::move(message), std::move(operation)};
    }
  }
  const bool idempotent = opts.idempotent.value_or(is_idempotent(req.method));

  try {
    for (unsigned redirects = 0;; ++redirects) {
      const std::string what = req.method + " " + url.for_messages(req.redact_path);
      Attempt a = co_await impl->with_retries(url, req, idempotent, max_body, deadline, what);
      if (a.failure) {
        a.failure->operation = what;
        co_return std::move(*a.failure);
      }
      Response& res = *a.response;
      res.redirects = redirects;
      const auto location = res.header("Location");
      if (!opts.follow_redirects || !is_redirect(res.status) || !location) co_return std::move(res);
      if (redirects == impl->options.max_redirects) {
        co_return Failure{FailureKind::too_many_redirects,
                          what + ": more than " + std::to_string(impl->options.max_redirects) + " redirects", what};
      }
      auto next = resolve_reference(url, *location);
      if (!next) {
        co_return Failure{FailureKind::protocol, what + ": unusable redirect location: " + next.error().message, what};
      }
      if (next->origin() != url.origin()) {
        // Credentials are for the host they were given for (curl does the same).
        req.headers.remove("Authorization");
        req.headers.remove("Proxy-Authorization");
        req.headers.remove("Cookie");
      }
      if (res.status == 303 || ((res.status == 301 || res.status == 302) && req.method == "POST")) {
        if (req.method != "HEAD") req.method = "GET";
        req.body.clear();
        req.headers.remove("Content-Type");
      }
      url = std::move(*next);
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      std::string operation = req.method + " " + url.for_messages(req.redact_path);
      std::string message = operation + ": cancelled";
      co_return Failure{FailureKind::cancelled, std::move(message), std::move(operation)};
    }
    throw;
  }
}

}  // namespace

asio::awaitable<Result> Client::request(Request req, RequestOptions opts) {
  // In Asio 1.26 throw_if_cancelled and the cancellation state belong to the
  // whole co_spawned chain, not to one coroutine: the request runs as a chain
  // of its own so that its policy never becomes the caller's. The caller's
  // cancellation reaches it through co_spawn's slot.
  auto executor = co_await asio::this_coro::executor;
  auto work = perform(impl_, std::move(req), opts);
  Result result = co_await asio::co_spawn(executor, std::move(work), asio::use_awaitable);
  co_return result;
}


}  // namespace ua::net
