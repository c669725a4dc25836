#pragma once
// `--listen HOST:PORT` for the commands that serve (`sandbox`, `serve`).
// IPv6 hosts are written in brackets ("[::1]:8080").
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "upgrade_agent/core/expected.hpp"

namespace ua::cli {

// `servers`: what needs the ports above PORT, for the message ("six servers").
inline core::Expected<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text, unsigned max_port, std::string_view servers) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return core::make_error("--listen wants HOST:PORT, got \"" + std::string(text) + "\"");
  }
  const std::string port_text(text.substr(colon + 1));
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    return core::make_error("--listen: \"" + port_text + "\" is not a port number");
  }
  if (port > max_port) {
    return core::make_error("--listen: the port must be at most " + std::to_string(max_port) +
                            (servers.empty() ? std::string() : " (room for " + std::string(servers) + ")"));
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace ua::cli
