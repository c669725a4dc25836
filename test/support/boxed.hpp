#pragma once
// co_spawn needs a default-constructible result; core::Expected<T> is not.
// `boxed(work)` carries it through an optional (a named function, not a
// lambda, per the README's g++ 12 co_await rule).
#include <boost/asio/awaitable.hpp>

#include <optional>

namespace ua::test {

template <class T>
boost::asio::awaitable<std::optional<T>> boxed(boost::asio::awaitable<T> work) {
  std::optional<T> out;
  out.emplace(co_await std::move(work));
  co_return out;
}

}  // namespace ua::test
