#pragma once
// Library coroutines answer a cancellation as a result (ErrorKind::cancelled),
// so they await with throw_if_cancelled(false). In Asio 1.26 that flag belongs
// to the whole co_spawned chain, not to one coroutine: setting it in a library
// coroutine would change it for every caller up the chain. without_throwing
// sets it for `work` alone and gives the caller's setting back, however `work`
// ends.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace ua::net {

template <class T>
boost::asio::awaitable<T> without_throwing(boost::asio::awaitable<T> work) {
  const bool callers = co_await boost::asio::this_coro::throw_if_cancelled();
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  std::exception_ptr thrown;
  std::optional<T> result;
  try {
    T value = co_await std::move(work);
    result.emplace(std::move(value));
  } catch (...) {
    thrown = std::current_exception();
  }
  co_await boost::asio::this_coro::throw_if_cancelled(callers);
  if (thrown) std::rethrow_exception(thrown);
  co_return std::move(*result);
}

}  // namespace ua::net
