#pragma once
// Plain value types shared by the HTTP client and server: no Beast in here, so
// adapters and tests include this without pulling Beast's headers.
#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ua::net {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

// Header fields in the order they were added; names compare case-insensitively
// (RFC 9110 5.1). Several fields of one name are kept (Link, Set-Cookie).
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> fields);

  void add(std::string name, std::string value);
  // Replaces every field of that name with one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;  // first field
  [[nodiscard]] std::vector<std::string> get_all(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  [[nodiscard]] bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  Headers headers;
  std::string body;
  // The path itself is a credential (Slack webhook URLs): errors then show
  // only the scheme and host.
  bool redact_path = false;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string url;          // the URL that answered, after redirects
  unsigned attempts = 1;    // tries of the last hop (1 = no retry)
  unsigned redirects = 0;

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
  [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
};

enum class FailureKind {
  invalid_request,     // bad URL, unsupported scheme, bad header value
  resolve,             // DNS
  connect,             // TCP connect refused/unreachable
  tls,                 // handshake, certificate or host-name verification
  connection,          // reset/closed while sending or receiving
  timeout,             // connect, read or whole-request deadline
  protocol,            // not valid HTTP
  body_too_large,      // response body over the cap
  too_many_redirects,
  cancelled,           // the caller cancelled the request
};

std::string_view to_string(FailureKind kind);
std::ostream& operator<<(std::ostream& os, FailureKind kind);

struct Failure {
  Failure() = default;
  // A constructor rather than an aggregate, so that `Failure{kind, message}`
  // stays warning-free now that the operation is a third field.
  Failure(FailureKind k, std::string m, std::string op = {})
      : kind(k), message(std::move(m)), operation(std::move(op)) {}

  FailureKind kind = FailureKind::connection;
  // "GET https://api.github.com/repos/o/r: timed out after 30s waiting for the
  // response (attempt 2 of 4)": the host, the request (never its query string or
  // headers) and why.
  std::string message;
  // What failed, as the message starts: "GET https://api.github.com/repos/o/r"
  // (method, scheme, host and path; only the origin for redact_path). Empty
  // when no URL was understood.
  std::string operation;
};

// A response (any status, 404 included) or the reason there is none.
class Result {
 public:
  // Only for containers and coroutine plumbing: a failure saying nothing was sent.
  Result() : failure_(Failure{FailureKind::invalid_request, "no request was made"}) {}
  Result(Response response) : response_(std::move(response)) {}  // NOLINT(google-explicit-constructor)
  Result(Failure failure) : failure_(std::move(failure)) {}       // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_response() const noexcept { return response_.has_value(); }
  explicit operator bool() const noexcept { return has_response(); }
  [[nodiscard]] const Response& response() const&;
  [[nodiscard]] Response& response() &;
  [[nodiscard]] Response&& response() &&;
  const Response* operator->() const { return &response(); }
  Response* operator->() { return &response(); }
  [[nodiscard]] const Failure& failure() const&;

 private:
  std::optional<Response> response_;
  std::optional<Failure> failure_;
};

// "30s", "1.5s", "250ms": how durations appear in error messages.
std::string describe(Duration d);

}  // namespace ua::net
