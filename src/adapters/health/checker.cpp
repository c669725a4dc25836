#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <optional>

#include "upgrade_agent/adapters/health/health.hpp"
#include "upgrade_agent/net/own_policy.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::health {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxBodyBytes = 8U << 20U;  // the page itself is not read; only its status counts

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// DNS names and IP literals as ingress rules carry them, optionally with a
// port; nothing that could change the request (paths, userinfo, wildcards).
bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 260) return false;
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') return false;
  }
  return true;
}

core::Error cancelled(const std::string& url) {
  return core::make_error(core::ErrorKind::cancelled, "GET " + url + ": cancelled", "health", "GET /");
}

// "GET https://h/ (connecting to ...): cannot connect: refused" -> " (connecting
// to ...): cannot connect: refused": the detail names the URL once, in front.
std::string reason_of(const net::Failure& failure, const std::string& url) {
  const std::string prefix = "GET " + url;
  if (failure.message.rfind(prefix, 0) == 0) return failure.message.substr(prefix.size());
  return ": " + failure.message;
}

}  // namespace

bool passes(int status) noexcept { return (status >= 200 && status < 300) || status == 401 || is_redirect(status); }

Options options_from(const config::Settings& settings) {
  Options o;
  o.scheme = settings.health_scheme;
  return o;
}

Checker::Checker(net::Client& http, Options options) : http_(http), options_(std::move(options)) {}

asio::awaitable<core::Expected<ports::HttpCheck>> Checker::check(std::string host, core::Deadline deadline) {
  // Cancellation is answered as a result, never thrown past this frame.
  auto probing = probe(std::move(host), deadline);
  auto result = co_await net::without_throwing(std::move(probing));
  co_return result;
}

asio::awaitable<core::Expected<ports::HttpCheck>> Checker::probe(std::string host, core::Deadline deadline) {
  if (options_.scheme != "https" && options_.scheme != "http") {
    co_return core::make_error(core::ErrorKind::bad_input,
                               "UPGRADE_AGENT_HEALTH_SCHEME must be https or http, not '" + options_.scheme + "'",
                               "health", "GET /");
  }
  auto parsed = valid_host(host) ? net::parse_url(options_.scheme + "://" + host + "/")
                                 : core::Expected<net::Url>(core::make_error("not a host name"));
  if (!parsed || parsed->target != "/") {
    co_return core::make_error(core::ErrorKind::bad_input, "ingress host '" + host + "' cannot be probed",
                               "health", "GET /");
  }
  const std::string start_url = parsed->to_string();
  const auto started = core::Clock::now();
  const auto until = core::within(deadline, options_.timeout, started);
  const bool own_limit = until < deadline;

  net::Url current = *parsed;
  std::optional<net::Response> last;
  unsigned redirects = 0;
  std::string unfollowed;  // why the last answer, a redirect, was not followed
  try {
    for (;;) {
      net::Request request;
      request.url = current.to_string();
      net::RequestOptions ro;
      ro.deadline = until;
      ro.follow_redirects = false;  // followed here, so that an unfollowable one can still be judged
      ro.idempotent = false;        // one probe per check: the verify window repeats the check
      ro.max_body_bytes = kMaxBodyBytes;
      auto result = co_await http_.request(std::move(request), ro);
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none ||
          (!result && result.failure().kind == net::FailureKind::cancelled)) {
        co_return cancelled(start_url);
      }
      if (!result) {
        std::string why;
        if (result.failure().kind == net::FailureKind::timeout) {
          why = own_limit ? ": no answer within " + net::describe(std::chrono::duration_cast<net::Duration>(options_.timeout))
                          : ": no answer before the deadline";
        } else {
          why = reason_of(result.failure(), current.for_messages());
        }
        if (!last) {
          ports::HttpCheck failed;
          failed.detail = start_url + why;
          co_return failed;
        }
        // The seed's curl reports the redirect's own status when its target
        // cannot be reached; so does this check.
        unfollowed = "not followed: " + current.for_messages() + why;
        break;
      }
      last = std::move(result).response();
      if (!is_redirect(last->status)) break;
      const auto location = last->header("Location");
      if (!location) {
        unfollowed = "without a Location";
        break;
      }
      if (redirects == options_.max_redirects) {
        unfollowed = "not followed: more than " + std::to_string(options_.max_redirects) + " redirects";
        break;
      }
      auto next = net::resolve_reference(current, *location);
      if (!next) {
        unfollowed = "not followed: unusable Location (" + next.error().message + ")";
        break;
      }
      ++redirects;
      current = std::move(*next);
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) co_return cancelled(start_url);
    throw;
  }

  ports::HttpCheck out;
  out.status = last->status;
  out.healthy = passes(last->status);
  out.detail = start_url + ": " + std::to_string(last->status);
  if (redirects > 0) {
    out.detail += " after " + std::to_string(redirects) + " redirect" + (redirects > 1 ? "s" : "") + " (" +
                  current.for_messages() + ")";
  }
  if (!unfollowed.empty()) out.detail += ", redirect " + unfollowed;
  if (!out.healthy) {
    out.detail += last->status >= 500 ? " (server error)" : " (only 2xx, 401 and redirects pass)";
  }
  spdlog::debug("health: {}", out.detail);
  co_return out;
}

}  // namespace ua::adapters::health
