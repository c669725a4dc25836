#pragma once
// Absolute http(s) URLs: enough of RFC 3986 for API endpoints and redirects.
#include <cstdint>
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"

namespace ua::net {

struct Url {
  std::string scheme;      // "http" | "https"
  std::string host;        // lower-case; an IPv6 literal without brackets
  std::uint16_t port = 0;  // the explicit port, else 80/443
  std::string target;      // path and query as sent on the request line ("/" at least)

  [[nodiscard]] bool tls() const noexcept { return scheme == "https"; }
  [[nodiscard]] bool default_port() const noexcept { return port == (tls() ? 443 : 80); }
  [[nodiscard]] std::string path() const;       // target without the query
  [[nodiscard]] std::string authority() const;  // the Host header: host, ":port" unless default
  [[nodiscard]] std::string origin() const;     // "https://host[:port]"
  [[nodiscard]] std::string to_string() const;  // origin + target
  // origin + path, never the query (it may carry a token): what errors show.
  [[nodiscard]] std::string for_messages(bool redact_path = false) const;
};

// Rejects what the agent never needs and could leak: user:password@ in the
// authority. A fragment is dropped.
core::Expected<Url> parse_url(std::string_view text);

// A redirect's Location (absolute, scheme-relative, absolute-path or relative
// reference) resolved against the URL that answered (RFC 3986 5.2).
core::Expected<Url> resolve_reference(const Url& base, std::string_view reference);

// Percent-encodes one path segment or query value (unreserved characters kept).
std::string percent_encode(std::string_view text);

}  // namespace ua::net
