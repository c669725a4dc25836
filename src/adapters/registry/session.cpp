#include "adapters/registry/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <ctime>

#include "adapters/registry/base64.hpp"
#include "upgrade_agent/adapters/registry/endpoint.hpp"
#include "upgrade_agent/adapters/registry/token.hpp"
#include "upgrade_agent/net/retry.hpp"

namespace ua::adapters::registry {

namespace asio = boost::asio;

namespace {

// A cached token this close to its end is not sent: it could expire in flight.
constexpr std::chrono::seconds kTokenMargin(10);
constexpr long kLowPullsLeft = 10;

core::Error error(core::ErrorKind kind, std::string message, const Call& call) {
  return core::make_error(kind, std::move(message), "registry", call.operation);
}

core::Error from_failure(const net::Failure& failure, const Call& call) {
  using net::FailureKind;
  const auto kind = failure.kind == FailureKind::cancelled ? core::ErrorKind::cancelled
                    : failure.kind == FailureKind::timeout ? core::ErrorKind::timeout
                    : failure.kind == FailureKind::invalid_request ? core::ErrorKind::bad_input
                                                                   : core::ErrorKind::unavailable;
  return error(kind, failure.message, call);
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string query_of(const net::Url& url) {
  const auto q = url.target.find('?');
  return q == std::string::npos ? std::string() : url.target.substr(q + 1);
}

std::string utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string basic(const Credential& c) {
  return "Basic " + detail::base64_encode(c.username + ":" + c.password.reveal());
}

}  // namespace

asio::awaitable<core::Expected<net::Response>> Session::fetch(net::Request request, std::size_t max_body,
                                                              const Call& call, core::Deadline deadline) {
  ++stats_.requests;
  net::RequestOptions ro;
  ro.deadline = deadline;
  ro.max_body_bytes = max_body;
  ro.follow_redirects = false;  // by hand: each new host has its own challenge
  const std::string method = request.method;
  auto result = co_await http_.request(std::move(request), ro);
  if (!result) co_return from_failure(result.failure(), call);
  auto url = net::parse_url(result->url);
  spdlog::debug("registry: {} {} -> {}", method, url ? url->for_messages() : std::string("?"), result->status);
  co_return std::move(result).response();
}

void Session::learn(const std::string& origin, const std::vector<Challenge>& challenges) {
  auto& st = origins_[origin];
  if (const auto* bearer = find_challenge(challenges, "bearer"); bearer != nullptr && bearer->param("realm")) {
    st.mode = Mode::bearer;
    st.bearer = *bearer;
  } else if (find_challenge(challenges, "basic") != nullptr) {
    st.mode = Mode::basic;
  } else {
    st.mode = Mode::anonymous;
  }
}

asio::awaitable<core::Expected<void>> Session::ping(const net::Url& url, const Call& call, core::Deadline deadline) {
  ++stats_.pings;
  net::Request req;
  req.url = url.origin() + "/v2/";
  ++stats_.requests;
  net::RequestOptions ro;
  ro.deadline = deadline;
  ro.max_body_bytes = 64U << 10U;
  auto result = co_await http_.request(std::move(req), ro);
  if (!result) co_return from_failure(result.failure(), call);
  if (result->status == 401) {
    learn(url.origin(), parse_challenges(result->headers.get_all("WWW-Authenticate")));
  } else {
    origins_[url.origin()].mode = Mode::anonymous;  // 200, or no registry API here to challenge
  }
  co_return core::ok();
}

asio::awaitable<core::Expected<std::string>> Session::token(const Challenge& challenge, std::string scope,
                                                            const std::string& authority, const Call& call,
                                                            core::Deadline deadline, std::string& key) {
  const std::string realm = challenge.param("realm").value_or("");
  const std::string service = challenge.param("service").value_or("");
  key = realm + "\n" + service + "\n" + scope;
  const auto now = std::chrono::system_clock::now();
  if (const auto it = tokens_.find(key); it != tokens_.end()) {
    if (it->second.expires > now + kTokenMargin) co_return it->second.token;
    tokens_.erase(it);
  }
  auto realm_url = net::parse_url(realm);
  if (!realm_url) {
    co_return error(core::ErrorKind::unavailable, call.display + ": the registry's token realm is not a usable URL", call);
  }
  const Credential* credential = options_.credentials.find(authority);
  if (credential != nullptr && !realm_url->tls() && !plain_http_allowed(realm_url->authority(), options_.insecure_registries)) {
    co_return error(core::ErrorKind::unavailable,
                    call.display + ": the token realm " + realm_url->for_messages() +
                        " is plain http; credentials are only sent there over https (or to loopback and "
                        "UPGRADE_AGENT_INSECURE_REGISTRIES)",
                    call);
  }
  std::string query;
  if (!service.empty()) query += "service=" + net::percent_encode(service);
  if (!scope.empty()) query += (query.empty() ? "" : "&") + std::string("scope=") + net::percent_encode(scope);
  net::Request req;
  req.url = realm;
  if (!query.empty()) req.url += (realm.find('?') == std::string::npos ? "?" : "&") + query;
  if (credential != nullptr) req.headers.set("Authorization", basic(*credential));
  ++stats_.token_requests;
  auto answer = co_await fetch(std::move(req), 64U << 10U, call, deadline);
  if (!answer) co_return std::move(answer).error();
  const auto who = credential != nullptr ? "the credentials for " + registry_key(authority) + " from the auth file"
                                         : std::string("anonymous access");
  if (answer->status == 401 || answer->status == 403) {
    co_return error(core::ErrorKind::unavailable,
                    call.display + ": the token service " + realm_url->for_messages() + " refused " + who + " (" +
                        std::to_string(answer->status) + ")" +
                        (credential == nullptr ? "; add credentials for " + registry_key(authority) +
                                                     " to the registry auth file (UPGRADE_AGENT_REGISTRY_AUTH_FILE)"
                                               : std::string()),
                    call);
  }
  if (answer->status != 200) {
    co_return error(core::ErrorKind::unavailable,
                    call.display + ": the token service " + realm_url->for_messages() + " answered " +
                        std::to_string(answer->status),
                    call);
  }
  auto parsed = parse_token_answer(answer->body, std::chrono::system_clock::now());
  if (!parsed) {
    co_return error(core::ErrorKind::unavailable,
                    call.display + ": " + realm_url->for_messages() + ": " + parsed.error().message, call);
  }
  if (parsed->expires > std::chrono::system_clock::now() + kTokenMargin) {
    tokens_[key] = CachedToken{parsed->token, parsed->expires};
  }
  co_return parsed->token;
}

asio::awaitable<core::Expected<Session::Authorization>> Session::authorize(const net::Url& url, const Call& call,
                                                                           const std::string& scope_hint,
                                                                           core::Deadline deadline) {
  Authorization out;
  // A blob store behind a redirect (signed URLs) is no registry: nothing to challenge.
  if (url.path().rfind("/v2/", 0) != 0) co_return out;
  if (origins_[url.origin()].mode == Mode::unknown) {
    auto pinged = co_await ping(url, call, deadline);
    if (!pinged) co_return pinged.error();
  }
  const OriginAuth state = origins_[url.origin()];
  const std::string authority = url.authority();
  if (state.mode == Mode::basic) {
    if (const Credential* c = options_.credentials.find(authority)) out.header = basic(*c);
  } else if (state.mode == Mode::bearer) {
    const std::string repo = repository_in_path(url.path());
    std::string scope = scope_hint;
    if (scope.empty() && !repo.empty()) scope = "repository:" + repo + ":pull";
    auto t = co_await token(state.bearer, std::move(scope), authority, call, deadline, out.token_key);
    if (!t) co_return std::move(t).error();
    out.header = "Bearer " + *t;
  }
  co_return out;
}

void Session::note_rate_limit(const net::Response& response, const Call& call) {
  const auto value = response.header("ratelimit-remaining");
  if (!value) return;
  // "97;w=21600": pulls left in the window.
  long n = 0;
  std::size_t i = 0;
  while (i < value->size() && (*value)[i] >= '0' && (*value)[i] <= '9' && i < 12) n = n * 10 + ((*value)[i++] - '0');
  if (i == 0) return;
  stats_.ratelimit_remaining = n;
  if (call.counts_as_pull && n < kLowPullsLeft) {
    spdlog::warn("registry: {}: {} pulls left in the registry's rate-limit window", call.display, n);
  }
}

asio::awaitable<core::Expected<net::Response>> Session::send(Call call, core::Deadline deadline) {
  auto parsed = net::parse_url(call.url);
  if (!parsed) co_return error(core::ErrorKind::bad_input, call.display + ": " + parsed.error().message, call);
  net::Url url = std::move(*parsed);
  bool retried_auth = false;
  unsigned redirects = 0;
  unsigned waits = 0;
  std::string scope_hint;
  for (;;) {
    auto auth = co_await authorize(url, call, scope_hint, deadline);
    if (!auth) co_return std::move(auth).error();
    net::Request req;
    req.method = call.method;
    req.url = url.to_string();
    if (!call.accept.empty()) req.headers.set("Accept", call.accept);
    if (auth->header) req.headers.set("Authorization", *auth->header);
    if (call.counts_as_pull) ++stats_.gets_of_manifests;
    auto answer = co_await fetch(std::move(req), call.max_body, call, deadline);
    if (!answer) co_return std::move(answer).error();
    net::Response& res = *answer;
    note_rate_limit(res, call);

    if (res.status == 401 && url.path().rfind("/v2/", 0) == 0) {
      const auto challenges = parse_challenges(res.headers.get_all("WWW-Authenticate"));
      const Challenge* bearer = find_challenge(challenges, "bearer");
      const bool insufficient = bearer != nullptr && bearer->param("error") == std::string("insufficient_scope");
      if (!retried_auth && !challenges.empty()) {
        // The token may grant less than asked, or the resource wants another
        // scheme than /v2/ said: forget the token and ask once more.
        retried_auth = true;
        if (!auth->token_key.empty()) tokens_.erase(auth->token_key);
        learn(url.origin(), challenges);
        scope_hint = bearer != nullptr ? bearer->param("scope").value_or("") : std::string();
        spdlog::debug("registry: {}: 401{}; authenticating again", call.display,
                      insufficient ? " insufficient_scope" : "");
        continue;
      }
      const bool has_credential = options_.credentials.find(url.authority()) != nullptr;
      std::string message = call.display + ": the registry refused " +
                            (has_credential ? "the credentials for " + registry_key(url.authority()) + " from the auth file"
                                            : std::string("anonymous access"));
      if (insufficient) message += " (insufficient_scope for " + bearer->param("scope").value_or("this repository") + ")";
      if (!has_credential) {
        message += "; add credentials for " + registry_key(url.authority()) +
                   " to the registry auth file (UPGRADE_AGENT_REGISTRY_AUTH_FILE)";
      }
      co_return error(core::ErrorKind::unavailable, message, call);
    }

    if (res.status == 429) {
      const auto now = std::chrono::system_clock::now();
      const auto hint = res.header("Retry-After");
      const auto wait = hint ? net::parse_retry_after(*hint, now) : std::nullopt;
      if (wait && core::Clock::now() + *wait < deadline && waits < options_.max_rate_limit_waits) {
        ++waits;
        spdlog::info("registry: {}: rate-limited; waiting {}", call.display, net::describe(*wait));
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(*wait);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return error(core::ErrorKind::cancelled, call.display + ": cancelled while rate-limited", call);
        continue;
      }
      co_return error(core::ErrorKind::unavailable,
                      call.display + ": rate-limited until " +
                          (wait ? utc(now + *wait) : std::string("an unknown time (no Retry-After)")) +
                          (wait ? ", past this request's deadline" : ""),
                      call);
    }

    const auto location = res.header("Location");
    if (is_redirect(res.status) && location) {
      if (++redirects > options_.max_redirects) {
        co_return error(core::ErrorKind::unavailable,
                        call.display + ": more than " + std::to_string(options_.max_redirects) + " redirects", call);
      }
      auto next = net::resolve_reference(url, *location);
      if (!next) co_return error(core::ErrorKind::unavailable, call.display + ": unusable redirect location", call);
      // registry.k8s.io sends /v2/ requests elsewhere without their query
      // (tags/list?n=&last=): keep ours when the new location has none.
      if (next->target.find('?') == std::string::npos && !query_of(url).empty()) {
        next->target += "?" + query_of(url);
      }
      if (url.tls() && !next->tls() && !plain_http_allowed(next->authority(), options_.insecure_registries)) {
        co_return error(core::ErrorKind::unavailable,
                        call.display + ": redirected from https to plain http (" + next->for_messages() + "); refused",
                        call);
      }
      spdlog::debug("registry: {}: {} redirects to {}", call.display, res.status, next->for_messages());
      url = std::move(*next);
      retried_auth = false;
      scope_hint.clear();
      continue;
    }
    co_return std::move(res);
  }
}

}  // namespace ua::adapters::registry
