#pragma once
// A small value-or-error type: C++20 has no std::expected and parse errors are
// ordinary outcomes here (bad webhooks, odd tags), not exceptional ones.
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace ua::core {

struct Error {
  std::string message;
};

class BadExpectedAccess : public std::logic_error {
 public:
  explicit BadExpectedAccess(const std::string& what) : std::logic_error(what) {}
};

template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Expected(Error error) : state_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] const T& value() const& { check(); return std::get<0>(state_); }
  [[nodiscard]] T& value() & { check(); return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { check(); return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  [[nodiscard]] const Error& error() const& {
    if (has_value()) throw BadExpectedAccess("Expected holds a value, not an error");
    return std::get<1>(state_);
  }

 private:
  void check() const {
    if (!has_value()) throw BadExpectedAccess(std::get<1>(state_).message);
  }
  std::variant<T, Error> state_;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace ua::core
