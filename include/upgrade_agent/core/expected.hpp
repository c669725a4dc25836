#pragma once
// A value or an error. C++20 has no std::expected, and failures here are
// ordinary outcomes (bad webhooks, odd tags, a CI that never finishes), not
// exceptional ones. Exceptions stay inside the module that throws them.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "upgrade_agent/core/error.hpp"

namespace ua::core {

class BadExpectedAccess : public std::logic_error {
 public:
  explicit BadExpectedAccess(const std::string& what) : std::logic_error(what) {}
};

namespace detail {
template <class E>
[[noreturn]] void throw_bad_access(const E& error) {
  if constexpr (std::is_same_v<E, Error>) {
    throw BadExpectedAccess(error.describe());
  } else {
    throw BadExpectedAccess("Expected holds an error");
  }
}
}  // namespace detail

template <class T, class E = Error>
class Expected {
  static_assert(!std::is_same_v<T, E>, "a value type and its error type must differ");

 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] const T& value() const& { check(); return std::get<0>(state_); }
  [[nodiscard]] T& value() & { check(); return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { check(); return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  [[nodiscard]] const E& error() const& {
    if (has_value()) throw BadExpectedAccess("Expected holds a value, not an error");
    return std::get<1>(state_);
  }
  [[nodiscard]] E&& error() && {
    if (has_value()) throw BadExpectedAccess("Expected holds a value, not an error");
    return std::get<1>(std::move(state_));
  }

 private:
  void check() const {
    if (!has_value()) detail::throw_bad_access(std::get<1>(state_));
  }
  std::variant<T, E> state_;
};

// Success without a value: `co_return core::ok();` or an error.
struct Ok {};
inline Ok ok() noexcept { return {}; }

template <class E>
class Expected<void, E> {
 public:
  Expected() = default;
  Expected(Ok /*unused*/) {}                    // NOLINT(google-explicit-constructor)
  Expected(E error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (error_) detail::throw_bad_access(*error_);
  }
  [[nodiscard]] const E& error() const& {
    if (!error_) throw BadExpectedAccess("Expected holds a value, not an error");
    return *error_;
  }

 private:
  // Not `E error_{}`: g++ 12 destroys a braced default member initialiser
  // built inside a co_return twice (README, the co_await temporaries rule).
  std::optional<E> error_;
};

}  // namespace ua::core
