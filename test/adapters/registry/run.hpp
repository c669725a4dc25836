#pragma once
// Runs a coroutine to completion, for results without a default constructor
// (core::Expected).
#include <optional>

#include "net/support.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"

namespace ua::test {

// The result goes into `out` rather than through co_spawn's handler, which
// default-constructs its value (g++ 12's ASan build then warns about an
// uninitialised Expected inside an empty optional).
template <class T>
boost::asio::awaitable<void> store(boost::asio::awaitable<T> work, std::optional<T>* out) {
  out->emplace(co_await std::move(work));
}

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, store(std::move(work), &result), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  const auto start = std::chrono::steady_clock::now();
  io.restart();
  while (!done) {
    io.run_one_for(std::chrono::milliseconds(50));
    if (io.stopped()) io.restart();
    if (std::chrono::steady_clock::now() - start > limit) BOOST_FAIL("coroutine did not finish within the test's limit");
  }
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace ua::test

namespace ua::adapters::registry {
inline std::ostream& operator<<(std::ostream& os, PinKind k) { return os << to_string(k); }
}  // namespace ua::adapters::registry

// Fails with the error's text when an Expected holds one.
// `e` is evaluated once (it may be a request).
#define UA_REQUIRE_OK(e)                                                                                  \
  do {                                                                                                    \
    const auto& ua_checked = (e);                                                                         \
    BOOST_REQUIRE_MESSAGE(ua_checked.has_value(), (ua_checked.has_value() ? std::string() : ua_checked.error().describe())); \
  } while (false)
