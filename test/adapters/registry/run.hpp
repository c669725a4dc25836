#pragma once
// run_coro for results without a default constructor (core::Expected).
#include <optional>

#include "net/support.hpp"
#include "upgrade_agent/adapters/registry/pin.hpp"

namespace ua::test {

template <class T>
boost::asio::awaitable<std::optional<T>> as_optional(boost::asio::awaitable<T> work) {
  co_return co_await std::move(work);
}

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work,
      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  auto result = run_coro(io, as_optional(std::move(work)), limit);
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
