#pragma once
// Runs coroutines to completion on an io_context that also runs local servers.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace ua::test {

template <class T>
T run_coro(boost::asio::io_context& io, boost::asio::awaitable<T> work,
           std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result.emplace(std::move(value));
    done = true;
  });
  const auto start = std::chrono::steady_clock::now();
  io.restart();
  while (!done) {
    io.run_one_for(std::chrono::milliseconds(50));
    if (io.stopped()) io.restart();
    if (std::chrono::steady_clock::now() - start > limit) {
      BOOST_FAIL("coroutine did not finish within the test's limit");
    }
  }
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ua::test
