// A cancelled wait returns promptly (during the sleep between polls and
// during a request), and the token is in no error, progress or log line.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/woodpecker/world.hpp"

using namespace ua::test_woodpecker;
using ua::core::ErrorKind;

namespace {

struct Cancelled {
  std::optional<ua::core::Expected<ua::ports::CiOutcome>> result;
  double after_emit = -1;  // seconds from the cancellation to the wait's end
};

// Starts the wait, cancels it through its slot after `after`, and measures.
Cancelled cancel_after(World& w, const std::string& commit, std::chrono::milliseconds after) {
  wp::Client client(w.http, w.options);
  asio::cancellation_signal signal;
  Cancelled out;
  std::chrono::steady_clock::time_point emitted;
  bool done = false;
  asio::co_spawn(w.io, waited(client, commit, std::chrono::steady_clock::now() + 30s, {}),
                 asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, MaybeOutcome r) {
                   BOOST_TEST(!e);
                   out.result = std::move(r);
                   out.after_emit = ua::test::seconds_since(emitted);
                   done = true;
                 }));
  asio::steady_timer timer(w.io, after);
  timer.async_wait([&](boost::system::error_code) {
    emitted = std::chrono::steady_clock::now();
    signal.emit(asio::cancellation_type::terminal);
  });
  const auto start = std::chrono::steady_clock::now();
  while (!done && ua::test::seconds_since(start) < 10) w.io.run_one_for(50ms);
  BOOST_REQUIRE(done);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cancel_and_secrets)

BOOST_AUTO_TEST_CASE(a_wait_cancelled_between_polls_ends_within_100ms) {
  World w;
  w.options.poll_interval = 10s;
  const auto c = sha(100);
  w.sim.add_pipeline(sim::never_finishes(c));
  auto r = cancel_after(w, c, 150ms);
  BOOST_REQUIRE(r.result);
  BOOST_REQUIRE(!r.result->has_value());
  BOOST_TEST((r.result->error().kind == ErrorKind::cancelled));
  BOOST_TEST(r.result->error().system == "woodpecker");
  BOOST_TEST(r.after_emit < 0.1);
}

BOOST_AUTO_TEST_CASE(a_wait_cancelled_during_a_request_ends_within_100ms) {
  World w;
  w.sim.faults().delay = 5s;
  auto r = cancel_after(w, sha(101), 100ms);
  BOOST_REQUIRE(r.result);
  BOOST_REQUIRE(!r.result->has_value());
  BOOST_TEST((r.result->error().kind == ErrorKind::cancelled));
  BOOST_TEST(r.after_emit < 0.1);
}

BOOST_AUTO_TEST_CASE(a_wait_raced_against_a_timer_loses_promptly_and_the_client_stays_usable) {
  World w;
  w.options.poll_interval = 10s;
  const auto c = sha(102);
  w.sim.add_pipeline(sim::never_finishes(c));
  wp::Client client(w.http, w.options);
  const auto start = std::chrono::steady_clock::now();
  auto which = ua::test::run_coro(w.io, [&]() -> asio::awaitable<std::size_t> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
    auto waiting = waited(client, c, std::chrono::steady_clock::now() + 30s, {});
    auto v = co_await (std::move(waiting) || t.async_wait(asio::use_awaitable));
    co_return v.index();
  }());
  BOOST_TEST(which == 1U);
  BOOST_TEST(ua::test::seconds_since(start) < 0.2);
  const auto d = sha(103);
  w.sim.add_pipeline(sim::succeeds(d));
  w.options.poll_interval = 20ms;
  BOOST_TEST((w.wait(d).outcome().state == ua::ports::CiState::success));
}

BOOST_AUTO_TEST_CASE(the_token_is_in_no_error_progress_or_log_line) {
  const std::string token = "wp-S3CR3T-7f1c2a9e";
  const std::string wrong = "wp-WR0NG-0b9d4e31";
  LogCapture logs;
  sim::Options o;
  o.token = token;
  World w(o);
  std::string seen;
  const auto record = [&](const Waited& r) {
    seen += r.all_progress();
    if (!r.result->has_value()) seen += r.result->error().describe() + "\n";
  };
  const auto c = sha(104);
  w.sim.add_pipeline(sim::unrelated_failure(c));
  record(w.wait(c));                                 // success
  w.options.workflow = "deploy";
  record(w.wait(c));                                 // not_found
  w.options.workflow = "default";
  record(w.wait(sha(105), 150ms));                   // timeout
  w.sim.faults().server_errors = 1000;
  record(w.wait(c));                                 // unavailable after 3 polls
  w.sim.faults().server_errors = 0;
  w.sim.faults().malformed = 1;
  record(w.wait(c));                                 // malformed
  w.options.token = wrong;
  auto rejected = w.wait(c);                         // 401
  BOOST_TEST((rejected.error().kind == ErrorKind::unavailable));
  record(rejected);
  const auto text = logs.text() + seen;
  BOOST_TEST(!text.empty());
  BOOST_TEST(text.find(token) == std::string::npos, text);
  BOOST_TEST(text.find(wrong) == std::string::npos, text);
  BOOST_TEST(text.find("S3CR3T") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_echoing_the_token_back_is_shown_without_it) {
  World w;
  w.options.repo = "1";
  // A proxy in front of Woodpecker that answers with the request's headers.
  ua::net::Router router;
  const std::string token = w.options.token;
  router.fallback([](const ua::net::ServerRequest& req) -> asio::awaitable<ua::net::ServerResponse> {
    co_return ua::net::ServerResponse::text(418, "refused: " + req.header("Authorization").value_or(""));
  });
  ua::net::Server proxy(w.io.get_executor(), std::move(router));
  BOOST_REQUIRE(proxy.start());
  w.options.url = proxy.url();
  auto r = w.wait(sha(106));
  BOOST_TEST((r.error().kind == ErrorKind::unavailable));
  BOOST_TEST(r.error().message.find("418") != std::string::npos, r.error().message);
  BOOST_TEST(r.error().message.find("Bearer ***") != std::string::npos, r.error().message);
  BOOST_TEST(r.error().describe().find(token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
