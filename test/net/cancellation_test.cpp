// Cancellation that holds (issue 8, point 6): a request ends promptly on any
// cancellation the caller lets through, and the caller's own policy
// (throw_if_cancelled) is what the caller set, however the request ended.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "net/client_fixture.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/net/error.hpp"
#include "upgrade_agent/net/server.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace ua::net;
using ua::test::delayed;

namespace {

struct Fixture : ua::test::ClientFixture {
  std::string slow_url;
  std::string fast_url;
  Fixture() {
    Router router;
    // Answers long after any test has ended: a server that never answers.
    router.add_async("GET", "/never", [](const ServerRequest&) { return delayed(60s, ServerResponse::text(200, "late")); });
    router.add("GET", "/ok", [](const ServerRequest&) { return ServerResponse::text(200, "ok"); });
    auto& server = serve(std::move(router));
    slow_url = server.url() + "/never";
    fast_url = server.url() + "/ok";
  }
};

struct Seen {
  Result result;
  bool throw_before = false;
  bool throw_after = false;
};

// An entry coroutine with the policy a saga's entry sets (total and terminal
// cancellation), optionally not throwing on cancellation, that makes one request.
asio::awaitable<Seen> entry(Client& client, std::string url, bool accept_total, bool throw_if_cancelled) {
  if (accept_total) co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  Seen seen;
  seen.throw_before = co_await asio::this_coro::throw_if_cancelled();
  seen.result = co_await client.get(std::move(url));
  seen.throw_after = co_await asio::this_coro::throw_if_cancelled();
  co_return seen;
}

struct Run {
  std::optional<Seen> seen;
  std::chrono::steady_clock::duration after_cancel{};
};

// Spawns `work`, emits `type` on its slot after `cancel_after` (if given), and
// runs the loop until it is done; the time from the emission to the end is measured.
Run run(asio::io_context& io, asio::awaitable<Seen> work, std::optional<std::chrono::milliseconds> cancel_after,
        asio::cancellation_type type) {
  Run out;
  bool done = false;
  std::exception_ptr failure;
  std::chrono::steady_clock::time_point emitted{};
  asio::cancellation_signal signal;
  asio::co_spawn(io, std::move(work), asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, Seen s) {
                   failure = e;
                   if (!e) out.seen = std::move(s);
                   done = true;
                   if (emitted != std::chrono::steady_clock::time_point{}) {
                     out.after_cancel = std::chrono::steady_clock::now() - emitted;
                   }
                 }));
  asio::steady_timer timer(io, cancel_after.value_or(24h));
  timer.async_wait([&](boost::system::error_code ec) {
    if (ec || done) return;
    emitted = std::chrono::steady_clock::now();
    signal.emit(type);
  });
  const auto start = std::chrono::steady_clock::now();
  io.restart();
  while (!done && std::chrono::steady_clock::now() - start < 10s) io.run_one_for(20ms);
  timer.cancel();
  io.restart();
  io.poll();
  BOOST_REQUIRE_MESSAGE(done, "the request did not end within 10 s");
  if (failure) std::rethrow_exception(failure);
  return out;
}

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cancellation, Fixture)

BOOST_AUTO_TEST_CASE(total_cancellation_ends_a_request_the_server_never_answers) {
  Client client(io.get_executor(), fast_options());
  auto r = run(io, entry(client, slow_url, true, false), 150ms, asio::cancellation_type::total);
  BOOST_REQUIRE(r.seen);
  BOOST_TEST(ms(r.after_cancel) < 100.0);
  BOOST_REQUIRE(!r.seen->result.has_response());
  BOOST_TEST((r.seen->result.failure().kind == FailureKind::cancelled));
  const auto error = to_error(r.seen->result.failure(), "test");
  BOOST_TEST((error.kind == ua::core::ErrorKind::cancelled));
  BOOST_TEST(error.operation == "GET " + slow_url);
  BOOST_TEST(!r.seen->throw_after);  // what the caller set
}

BOOST_AUTO_TEST_CASE(terminal_cancellation_ends_it_too_and_the_caller_keeps_throwing) {
  Client client(io.get_executor(), fast_options());
  // The caller keeps Asio's defaults: terminal cancellation only, throwing.
  auto r = run(io, entry(client, slow_url, false, true), 100ms, asio::cancellation_type::terminal);
  BOOST_REQUIRE(r.seen);
  BOOST_TEST(ms(r.after_cancel) < 100.0);
  BOOST_TEST((r.seen->result.failure().kind == FailureKind::cancelled));
  BOOST_TEST(r.seen->throw_before);
  BOOST_TEST(r.seen->throw_after);  // the client's own "false" stayed in its chain
}

BOOST_AUTO_TEST_CASE(a_caller_filtering_total_out_is_not_cancelled_by_it) {
  // Asio's default filter passes only terminal: the caller's policy decides,
  // not the client's. The request ends by its own deadline instead.
  auto options = fast_options();
  options.read_timeout = 400ms;
  options.max_attempts = 1;
  Client client(io.get_executor(), options);
  auto r = run(io, entry(client, slow_url, false, false), 50ms, asio::cancellation_type::total);
  BOOST_REQUIRE(r.seen);
  BOOST_TEST((r.seen->result.failure().kind == FailureKind::timeout));
}

BOOST_AUTO_TEST_CASE(after_a_normal_answer_the_callers_setting_is_unchanged) {
  Client client(io.get_executor(), fast_options());
  for (const bool setting : {true, false}) {
    auto r = run(io, entry(client, fast_url, true, setting), std::nullopt, asio::cancellation_type::none);
    BOOST_REQUIRE(r.seen);
    BOOST_REQUIRE(r.seen->result.has_response());
    BOOST_TEST(r.seen->result->status == 200);
    BOOST_TEST(r.seen->throw_before == setting);
    BOOST_TEST(r.seen->throw_after == setting);
  }
}

BOOST_AUTO_TEST_CASE(a_throwing_caller_sees_its_next_await_throw_after_a_cancelled_request) {
  // The caller's policy is its own: cancelled while the request ran, its next
  // co_await throws operation_aborted, as Asio promises for throw_if_cancelled(true).
  Client client(io.get_executor(), fast_options());
  std::string url = slow_url;
  auto work = [](Client& c, std::string u) -> asio::awaitable<Seen> {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    Seen seen;
    seen.result = co_await c.get(std::move(u));
    asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
    co_await t.async_wait(asio::use_awaitable);  // throws: the chain is cancelled
    co_return seen;
  };
  BOOST_CHECK_THROW(run(io, work(client, url), 50ms, asio::cancellation_type::total), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
