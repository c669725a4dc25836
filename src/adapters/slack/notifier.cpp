#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <random>

#include "upgrade_agent/adapters/slack/slack.hpp"
#include "upgrade_agent/net/own_policy.hpp"
#include "upgrade_agent/net/retry.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::slack {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kSystem = "slack";
constexpr std::string_view kOperation = "POST webhook";
constexpr std::size_t kMaxAnswerBytes = 64U << 10U;  // Slack answers a word; anything longer is not Slack

core::Error failure(core::ErrorKind kind, std::string message) {
  return core::make_error(kind, std::move(message), std::string(kSystem), std::string(kOperation));
}

// The answer as it goes into a message: one line, short, and without the
// webhook URL or its path should a proxy in between echo the request.
std::string shown_body(std::string body, const std::string& url, const std::string& path) {
  for (const std::string* secret : {&url, &path}) {
    if (secret->size() < 2) continue;  // "/" alone is no secret
    for (auto at = body.find(*secret); at != std::string::npos; at = body.find(*secret, at + 3)) {
      body.replace(at, secret->size(), "***");
    }
  }
  std::string out;
  for (char c : std::string_view(body).substr(0, 200)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > 200) out += "…";
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "(empty body)" : out;
}

std::string answer(int status, const std::string& body) { return std::to_string(status) + " " + body; }

core::ErrorKind kind_for_status(int status) {
  if (status == 400) return core::ErrorKind::bad_input;
  if (status == 401 || status == 403) return core::ErrorKind::refused;
  if (status == 404 || status == 410) return core::ErrorKind::not_found;
  return core::ErrorKind::unavailable;
}

}  // namespace

Options options_from(const config::Settings& settings) {
  Options o;
  o.webhook_url = settings.slack_webhook_url;
  return o;
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string payload(std::string_view text) {
  json::object body;
  body["text"] = escape_text(text);
  return json::serialize(body);
}

Notifier::Notifier(net::Client& http, Options options) : http_(http), options_(std::move(options)) {}

asio::awaitable<core::Expected<void>> Notifier::post(std::string text, core::Deadline deadline) {
  auto delivering = deliver(std::move(text), deadline);
  auto result = co_await net::without_throwing(std::move(delivering));
  if (!result) {
    if (result.error().is(core::ErrorKind::cancelled)) {
      spdlog::warn("slack: report not posted: {}", result.error().describe());
    } else {
      spdlog::error("slack: report not posted: {}", result.error().describe());
    }
  }
  co_return result;
}

asio::awaitable<core::Expected<void>> Notifier::deliver(std::string text, core::Deadline deadline) {
  if (options_.webhook_url.empty()) {
    co_return failure(core::ErrorKind::bad_input, "SLACK_WEBHOOK_URL is empty: the report was not sent");
  }
  // The parse error could quote the URL: only say that it is unusable.
  const auto parsed = net::parse_url(options_.webhook_url.reveal());
  if (!parsed) co_return failure(core::ErrorKind::bad_input, "SLACK_WEBHOOK_URL is not an http(s) URL");
  const std::string& secret_url = options_.webhook_url.reveal();
  const std::string secret_path = parsed->path();
  const std::string body = payload(text);
  std::mt19937_64 rng(std::random_device{}());

  std::string last;  // the last answer, for the message when no try is left
  const unsigned max_attempts = std::max(1U, options_.max_attempts);
  for (unsigned attempt = 1;; ++attempt) {
    net::Request request;
    request.method = "POST";
    request.url = secret_url;
    request.redact_path = true;
    request.headers.set("Content-Type", "application/json; charset=utf-8");
    request.body = body;
    net::RequestOptions ro;
    ro.deadline = deadline;
    // Retries are decided here, from Slack's answers, never also inside the client.
    ro.idempotent = false;
    ro.follow_redirects = false;
    ro.max_body_bytes = kMaxAnswerBytes;
    auto result = co_await http_.request(std::move(request), ro);
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none ||
        (!result && result.failure().kind == net::FailureKind::cancelled)) {
      co_return failure(core::ErrorKind::cancelled, "cancelled before Slack answered");
    }

    net::Duration wait{};
    if (!result) {
      const auto& f = result.failure();
      // Refused or unresolved: nothing reached Slack, so another try cannot post twice.
      const bool nothing_sent = f.kind == net::FailureKind::connect || f.kind == net::FailureKind::resolve;
      if (f.kind == net::FailureKind::timeout) {
        co_return failure(core::ErrorKind::timeout, f.message);
      }
      if (!nothing_sent) co_return failure(core::ErrorKind::unavailable, f.message);
      last = f.message;
      wait = net::backoff_delay(attempt, options_.backoff_initial, options_.backoff_max, rng());
    } else {
      const auto& res = result.response();
      const std::string shown = shown_body(res.body, secret_url, secret_path);
      if (res.status == 200 && res.body == "ok") co_return core::ok();
      if (res.status == 200) {
        co_return failure(core::ErrorKind::unavailable,
                          "Slack answered 200 with '" + shown + "' instead of 'ok': the message may not have been posted");
      }
      last = "Slack answered " + answer(res.status, shown);
      if (res.status == 429 || res.status >= 500) {
        std::optional<net::Duration> hinted;
        if (const auto ra = res.header("Retry-After"); ra && (res.status == 429 || res.status == 503)) {
          hinted = net::parse_retry_after(*ra, std::chrono::system_clock::now());
        }
        if (res.status == 429) {
          wait = hinted.value_or(options_.default_retry_after);
          if (core::Clock::now() + wait >= deadline) {
            co_return failure(core::ErrorKind::unavailable,
                              last + " and asked to wait " + net::describe(wait) + ", past the deadline");
          }
        } else {
          wait = hinted ? *hinted : net::backoff_delay(attempt, options_.backoff_initial, options_.backoff_max, rng());
        }
      } else {
        co_return failure(kind_for_status(res.status), last);
      }
    }
    if (attempt >= max_attempts) {
      co_return failure(core::ErrorKind::unavailable, last + " (after " + std::to_string(attempt) + " attempts)");
    }
    if (core::Clock::now() + wait >= deadline) {
      co_return failure(core::ErrorKind::unavailable,
                        last + " (after " + std::to_string(attempt) + " attempt" + (attempt > 1 ? "s" : "") +
                            "; no time left for another before the deadline)");
    }
    spdlog::debug("slack: {}; trying again in {}", last, net::describe(wait));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(wait);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return failure(core::ErrorKind::cancelled, "cancelled while waiting to retry");
  }
}

}  // namespace ua::adapters::slack
