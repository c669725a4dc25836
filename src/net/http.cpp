#include "upgrade_agent/net/http.hpp"
#include "upgrade_agent/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <ostream>
#include <stdexcept>

namespace ua::net {

bool iequals(std::string_view a, std::string_view b) noexcept { return core::iequals(a, b); }

Headers::Headers(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::invalid_request: return "invalid request";
    case FailureKind::resolve: return "name resolution failed";
    case FailureKind::connect: return "connection failed";
    case FailureKind::tls: return "TLS failure";
    case FailureKind::connection: return "connection broken";
    case FailureKind::timeout: return "timed out";
    case FailureKind::protocol: return "not valid HTTP";
    case FailureKind::body_too_large: return "response too large";
    case FailureKind::too_many_redirects: return "too many redirects";
    case FailureKind::cancelled: return "cancelled";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, FailureKind kind) { return os << to_string(kind); }

const Response& Result::response() const& {
  if (!response_) throw std::logic_error("no response: " + failure_->message);
  return *response_;
}
Response& Result::response() & {
  if (!response_) throw std::logic_error("no response: " + failure_->message);
  return *response_;
}
Response&& Result::response() && {
  if (!response_) throw std::logic_error("no response: " + failure_->message);
  return std::move(*response_);
}
const Failure& Result::failure() const& {
  if (!failure_) throw std::logic_error("the request has a response, not a failure");
  return *failure_;
}

std::string describe(Duration d) {
  const auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  std::string out = std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100);
  return out + "s";
}

}  // namespace ua::net
