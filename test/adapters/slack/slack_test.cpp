// The Slack notifier against the webhook simulator: escaping, `ok` only,
// every contract error named by status and body (never the URL, in the error
// or the log), 429 and 5xx retried only inside the deadline.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "net/support.hpp"
#include "sandbox/slack/slack_simulator.hpp"
#include "support/boxed.hpp"
#include "support/coro.hpp"
#include "support/log_capture.hpp"
#include "upgrade_agent/adapters/slack/slack.hpp"

namespace asio = boost::asio;
namespace slack = ua::adapters::slack;
namespace sim = ua::sandbox::slack;
using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::test::run_coro;
using ua::test::seconds_since;

// core::ErrorKind prints itself (core/error.hpp).

namespace {

struct Fixture {
  asio::io_context io;
  std::unique_ptr<sim::Simulator> hook;
  ua::net::Client http{io.get_executor()};
  slack::Options options;

  Fixture() {
    hook = std::make_unique<sim::Simulator>(io.get_executor());
    BOOST_REQUIRE(hook->start());
    options.webhook_url = ua::config::Secret(hook->webhook_url());
    options.backoff_initial = 50ms;
    options.backoff_max = 200ms;
  }

  ua::core::Expected<void> post(std::string text, std::chrono::milliseconds budget = 10s) {
    slack::Notifier notifier(http, options);
    return *run_coro(io, ua::test::boxed(notifier.post(std::move(text), ua::core::Clock::now() + budget)));
  }

  // The webhook's secret part: the token at the end of its path.
  [[nodiscard]] std::string token() const {
    const auto& path = hook->webhook_path();
    return path.substr(path.rfind('/') + 1);
  }

  void expect_no_secret(const std::string& text) {
    BOOST_TEST(text.find(token()) == std::string::npos, text);
    BOOST_TEST(text.find(hook->webhook_path()) == std::string::npos, text);
    BOOST_TEST(text.find("T0SANDBOX") == std::string::npos, text);
  }

  ~Fixture() {
    hook->stop();
    io.restart();
    io.poll();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(slack_adapter, Fixture)

BOOST_AUTO_TEST_CASE(only_ampersand_and_angle_brackets_are_escaped) {
  BOOST_TEST(slack::escape_text("a & b <c> *bold* _it_ `x` \"q\" 'y' \n") ==
             "a &amp; b &lt;c&gt; *bold* _it_ `x` \"q\" 'y' \n");
  BOOST_TEST(slack::escape_text("&amp;") == "&amp;amp;");  // text, not markup: escaped again
  const auto body = boost::json::parse(slack::payload("x < y\n*z*"));
  BOOST_TEST(body.as_object().size() == 1U);
  BOOST_TEST(body.at("text").as_string() == "x &lt; y\n*z*");
}

BOOST_AUTO_TEST_CASE(a_message_is_posted_as_json_text) {
  const std::string text =
      "[Upgrade Agent] Starting: *immich* v2.7.4 -> v2.8.0 (risk: CAUTION)\nBreaking: `A<B` & \"C>D\" ünïcode";
  auto r = post(text);
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().describe()));
  BOOST_REQUIRE_EQUAL(hook->messages().size(), 1U);
  BOOST_TEST(hook->messages()[0].text ==
             "[Upgrade Agent] Starting: *immich* v2.7.4 -&gt; v2.8.0 (risk: CAUTION)\nBreaking: `A&lt;B` &amp; \"C&gt;D\" ünïcode");
  BOOST_REQUIRE_EQUAL(hook->requests().size(), 1U);
  BOOST_TEST(hook->requests()[0].method == "POST");
  BOOST_TEST(hook->requests()[0].content_type.find("application/json") == 0U);
}

BOOST_AUTO_TEST_CASE(every_contract_error_names_status_and_body_and_never_the_url) {
  for (const auto& name : sim::contract_errors()) {
    BOOST_TEST_CONTEXT(name) {
      const auto expected = sim::contract_answer(name);
      hook->answer_next(name);
      const auto before = hook->requests().size();
      ua::test::LogCapture logs;
      auto r = post("hello");
      BOOST_REQUIRE(!r);
      const auto message = r.error().describe();
      BOOST_TEST(message.find(std::to_string(expected->status) + " " + name) != std::string::npos, message);
      expect_no_secret(message);
      const auto logged = logs.text();
      BOOST_TEST(logged.find("[error] slack: report not posted") != std::string::npos, logged);
      BOOST_TEST(logged.find(std::to_string(expected->status) + " " + name) != std::string::npos, logged);
      expect_no_secret(logged);
      BOOST_TEST(hook->requests().size() == before + 1);  // never retried
    }
  }
  BOOST_TEST(hook->messages().empty());
}

BOOST_AUTO_TEST_CASE(success_is_200_with_ok_and_nothing_else) {
  for (const std::string body : {"ok ", "OK", "", "{\"ok\":true}", "okay"}) {
    BOOST_TEST_CONTEXT(body) {
      hook->answer_next(sim::Scripted{200, body, std::nullopt, {}});
      auto r = post("hello");
      BOOST_REQUIRE(!r);
      BOOST_TEST(r.error().message.find("instead of 'ok'") != std::string::npos);
    }
  }
  hook->answer_next(sim::Scripted{204, "", std::nullopt, {}});
  auto no_content = post("hello");
  BOOST_REQUIRE(!no_content);
  BOOST_TEST(no_content.error().message.find("204 (empty body)") != std::string::npos);
  hook->answer_next(sim::Scripted{302, "", std::nullopt, {}});
  BOOST_TEST(!post("hello"));
}

BOOST_AUTO_TEST_CASE(the_simulator_itself_refuses_what_slack_refuses) {
  // A wrong path: no_service, as Slack answers for a removed hook.
  options.webhook_url = ua::config::Secret(hook->url() + "/services/T0SANDBOX/B0SANDBOX/revokedToken123");
  auto wrong = post("hello");
  BOOST_REQUIRE(!wrong);
  BOOST_TEST(wrong.error().message == "Slack answered 404 no_service");
  BOOST_TEST(wrong.error().kind == ErrorKind::not_found);
  BOOST_TEST(wrong.error().describe().find("revokedToken123") == std::string::npos);
  // Empty text.
  options.webhook_url = ua::config::Secret(hook->webhook_url());
  auto empty = post("");
  BOOST_REQUIRE(!empty);
  BOOST_TEST(empty.error().message == "Slack answered 400 no_text");
}

BOOST_AUTO_TEST_CASE(a_body_that_echoes_the_url_is_shown_without_it) {
  hook->answer_next(sim::Scripted{404, "<html>no route for " + hook->webhook_url() + " (" + hook->webhook_path() +
                                           ")</html>",
                                  std::nullopt, {}});
  ua::test::LogCapture logs;
  auto r = post("hello");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("404 <html>no route for *** (***)</html>") != std::string::npos, r.error().message);
  expect_no_secret(r.error().describe());
  expect_no_secret(logs.text());
}

BOOST_AUTO_TEST_CASE(rate_limited_waits_for_retry_after_then_succeeds) {
  hook->answer_next("rate_limited");  // Retry-After: 1
  const auto started = std::chrono::steady_clock::now();
  auto r = post("hello", 5s);
  const double took = seconds_since(started);
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().describe()));
  BOOST_TEST(took >= 0.95);
  BOOST_TEST(took < 2.0);
  BOOST_TEST(hook->requests().size() == 2U);
  BOOST_TEST(hook->messages().size() == 1U);
}

BOOST_AUTO_TEST_CASE(rate_limited_past_the_deadline_fails_promptly) {
  hook->answer_next(sim::Scripted{429, "rate_limited", std::string("30"), {}});
  ua::test::LogCapture logs;
  const auto started = std::chrono::steady_clock::now();
  auto r = post("hello", 3s);
  BOOST_TEST(seconds_since(started) < 0.5);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("429 rate_limited") != std::string::npos);
  BOOST_TEST(r.error().message.find("30s, past the deadline") != std::string::npos, r.error().message);
  BOOST_TEST(hook->requests().size() == 1U);
  BOOST_TEST(logs.text().find("[error]") != std::string::npos);
  expect_no_secret(logs.text());
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_once_each_not_twice) {
  hook->answer_next("server_error");
  hook->answer_next(sim::Scripted{503, "service unavailable", std::string("0"), {}});
  auto r = post("hello");
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().describe()));
  // 500, 503, then ok: one request per try (the client adds no retries of its own).
  BOOST_TEST(hook->requests().size() == 3U);
  BOOST_TEST(hook->messages().size() == 1U);
}

BOOST_AUTO_TEST_CASE(server_errors_until_the_deadline_fail_inside_it) {
  hook->answer_always(sim::Scripted{500, "server_error", std::nullopt, {}});
  options.max_attempts = 100;
  const auto started = std::chrono::steady_clock::now();
  auto r = post("hello", 1s);
  const double took = seconds_since(started);
  BOOST_REQUIRE(!r);
  BOOST_TEST(took < 1.1);
  BOOST_TEST(r.error().message.find("500 server_error") != std::string::npos);
  BOOST_TEST(r.error().message.find("no time left") != std::string::npos, r.error().message);
  BOOST_TEST(hook->requests().size() >= 2U);
  // With time to spare, max_attempts bounds the tries.
  options.max_attempts = 3;
  const auto before = hook->requests().size();
  auto bounded = post("hello", 20s);
  BOOST_REQUIRE(!bounded);
  BOOST_TEST(bounded.error().message.find("after 3 attempts") != std::string::npos);
  BOOST_TEST(hook->requests().size() == before + 3);
}

BOOST_AUTO_TEST_CASE(an_empty_or_broken_webhook_setting_is_an_error_that_is_logged) {
  options.webhook_url = ua::config::Secret();
  ua::test::LogCapture logs;
  auto empty = post("hello");
  BOOST_REQUIRE(!empty);
  BOOST_TEST(empty.error().kind == ErrorKind::bad_input);
  BOOST_TEST(empty.error().message.find("SLACK_WEBHOOK_URL is empty") == 0U);
  BOOST_TEST(logs.text().find("[error] slack: report not posted") != std::string::npos);
  options.webhook_url = ua::config::Secret("hooks.slack.com/services/T1/B2/secretPart");
  auto broken = post("hello");
  BOOST_REQUIRE(!broken);
  BOOST_TEST(broken.error().describe().find("secretPart") == std::string::npos);
  BOOST_TEST(logs.text().find("secretPart") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unreachable_slack_fails_without_the_path) {
  options.webhook_url = ua::config::Secret("http://127.0.0.1:1/services/T1/B2/secretPart");
  ua::test::LogCapture logs;
  auto r = post("hello", 1s);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().kind == ErrorKind::unavailable);
  BOOST_TEST(r.error().message.find("cannot connect") != std::string::npos, r.error().message);
  BOOST_TEST(r.error().describe().find("secretPart") == std::string::npos);
  BOOST_TEST(r.error().describe().find("/services") == std::string::npos);
  BOOST_TEST(logs.text().find("secretPart") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_slow_answer_past_the_deadline_is_a_timeout_and_cancellation_is_cancelled) {
  hook->answer_next(sim::Scripted{200, "ok", std::nullopt, 5s});
  auto late = post("hello", 300ms);
  BOOST_REQUIRE(!late);
  BOOST_TEST(late.error().kind == ErrorKind::timeout);
  expect_no_secret(late.error().describe());

  hook->answer_next(sim::Scripted{200, "ok", std::nullopt, 5s});
  slack::Notifier notifier(http, options);
  // Cancelled 150 ms in: it must end within 100 ms of the cancellation.
  const auto started_at = std::chrono::steady_clock::now();
  const auto result = ua::test::run_and_cancel(io, notifier.post("hello", ua::core::Clock::now() + 20s), 150ms);
  BOOST_TEST(seconds_since(started_at) < 0.25);
  BOOST_REQUIRE(!result);
  BOOST_TEST(result.error().kind == ErrorKind::cancelled);
}

// Issue 8: a library coroutine never changes the caller's throw_if_cancelled
// (in Asio 1.26 the flag belongs to the whole chain).
BOOST_AUTO_TEST_CASE(the_callers_throw_if_cancelled_is_left_as_it_was) {
  slack::Notifier notifier(http, options);
  for (const bool setting : {true, false}) {
    auto observed = [](slack::Notifier& n, bool mine) -> asio::awaitable<std::pair<bool, bool>> {
      co_await asio::this_coro::throw_if_cancelled(mine);
      auto posted = co_await n.post("hello", ua::core::Clock::now() + 10s);
      const bool after = co_await asio::this_coro::throw_if_cancelled();
      co_return std::pair<bool, bool>(posted.has_value(), after);
    };
    const auto [posted, after] = run_coro(io, observed(notifier, setting));
    BOOST_TEST(posted);
    BOOST_TEST(after == setting);
  }
  BOOST_TEST(hook->messages().size() == 2U);
}

BOOST_AUTO_TEST_SUITE_END()
