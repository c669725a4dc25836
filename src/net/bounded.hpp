#pragma once
// Deadlines as cancellation: an operation races a timer, and the loser is
// cancelled through its cancellation slot. Operations complete with an
// error_code tuple (as_tuple) so that a failing operation wins the race like a
// successful one (awaitable `||` waits for the first *success*).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <tuple>
#include <utility>

namespace ua::net::detail {

inline constexpr auto kTupleAwaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

// Runs `op` until `until`. A timeout comes back as asio::error::timed_out; a
// cancellation from the caller as operation_aborted.
template <class... Ts>
boost::asio::awaitable<std::tuple<boost::system::error_code, Ts...>> bounded(
    boost::asio::awaitable<std::tuple<boost::system::error_code, Ts...>> op,
    std::chrono::steady_clock::time_point until) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_at(until);
  auto winner = co_await (std::move(op) || timer.async_wait(kTupleAwaitable));
  if (winner.index() == 0) co_return std::get<0>(std::move(winner));
  const auto [timer_ec] = std::get<1>(winner);
  std::tuple<boost::system::error_code, Ts...> out{};
  std::get<0>(out) = timer_ec == boost::asio::error::operation_aborted
                         ? boost::system::error_code(boost::asio::error::operation_aborted)
                         : boost::system::error_code(boost::asio::error::timed_out);
  co_return out;
}

}  // namespace ua::net::detail
