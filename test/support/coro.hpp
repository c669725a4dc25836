#pragma once
// Runs coroutines whose result is not default-constructible (core::Expected:
// co_spawn's completion needs a default value), and cancels them through their
// cancellation slot (as a caller's `||` or a shutdown would).
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace ua::test {

namespace detail {
template <class T>
boost::asio::awaitable<void> store(boost::asio::awaitable<T> work, std::optional<T>& out) {
  out.emplace(co_await std::move(work));
}
}  // namespace detail

// Runs `work` to completion; after `cancel_after` (if given) cancels it
// through its cancellation slot. Returns what it returned.
template <class T>
T run_expected(boost::asio::io_context& io, boost::asio::awaitable<T> work,
               std::optional<std::chrono::milliseconds> cancel_after = std::nullopt,
               std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::cancellation_signal signal;
  boost::asio::co_spawn(io, detail::store(std::move(work), result),
                        boost::asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                          failure = std::move(e);
                          done = true;
                        }));
  boost::asio::steady_timer timer(io, cancel_after.value_or(std::chrono::hours(24)));
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec && !done) signal.emit(boost::asio::cancellation_type::terminal);
  });
  const auto start = std::chrono::steady_clock::now();
  io.restart();
  // NOLINTNEXTLINE(bugprone-infinite-loop): the handlers run_one_for runs set `done`.
  while (!done) {
    io.run_one_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
    if (std::chrono::steady_clock::now() - start > limit) BOOST_FAIL("the coroutine did not finish within the limit");
  }
  timer.cancel();
  io.restart();
  io.poll();  // runs the cancelled timer's handler: it refers to this frame
  if (failure) std::rethrow_exception(failure);
  BOOST_REQUIRE(result.has_value());
  return std::move(*result);
}

template <class T>
T run_and_cancel(boost::asio::io_context& io, boost::asio::awaitable<T> work, std::chrono::milliseconds after) {
  return run_expected(io, std::move(work), after);
}

}  // namespace ua::test

