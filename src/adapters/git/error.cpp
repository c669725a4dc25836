#include "upgrade_agent/adapters/git/error.hpp"

#include <cctype>

namespace ua::adapters::git {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::library: return "library";
    case ErrorKind::refused: return "refused";
    case ErrorKind::invalid_input: return "invalid_input";
    case ErrorKind::nothing_to_commit: return "nothing_to_commit";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::auth: return "auth";
    case ErrorKind::network: return "network";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::rejected: return "rejected";
    case ErrorKind::retries_exhausted: return "retries_exhausted";
    case ErrorKind::revert_conflict: return "revert_conflict";
  }
  return "unknown";
}

core::ErrorKind error_kind(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::refused:
    case ErrorKind::rejected: return core::ErrorKind::refused;
    case ErrorKind::invalid_input: return core::ErrorKind::bad_input;
    case ErrorKind::nothing_to_commit:
    case ErrorKind::retries_exhausted: return core::ErrorKind::conflict;
    case ErrorKind::not_found: return core::ErrorKind::not_found;
    case ErrorKind::auth:
    case ErrorKind::network:
    case ErrorKind::library: return core::ErrorKind::unavailable;
    case ErrorKind::timeout: return core::ErrorKind::timeout;
    case ErrorKind::revert_conflict: return core::ErrorKind::critical;
  }
  return core::ErrorKind::internal;
}

core::Error to_error(const GitError& error) {
  std::string operation = error.operation();
  if (!error.remote().empty()) operation += " (remote '" + error.remote() + "')";
  return core::make_error(error_kind(error.kind()), error.detail(), "git", std::move(operation));
}

namespace {

std::string compose(ErrorKind kind, const std::string& operation, const std::string& remote,
                    const std::string& detail) {
  std::string text;
  if (kind == ErrorKind::revert_conflict) text += "CRITICAL: ";
  text += "git " + operation;
  if (!remote.empty()) text += " (remote '" + remote + "')";
  text += ": " + detail;
  return text;
}

bool scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

// Where the authority part of a URL ends: a path, query, fragment, or anything
// that cannot be inside a URL written in prose or an error message.
bool authority_end(char c) {
  return c == '/' || c == '?' || c == '#' || c == '\'' || c == '"' || c == '<' || c == '>' ||
         c == '`' || std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

GitError::GitError(ErrorKind kind, std::string operation, std::string remote, std::string detail)
    : std::runtime_error(compose(kind, operation, remote, detail)),
      kind_(kind),
      operation_(std::move(operation)),
      remote_(std::move(remote)),
      detail_(std::move(detail)) {}

std::string redact_url_userinfo(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  std::size_t search = 0;
  while (true) {
    const auto sep = text.find("://", search);
    if (sep == std::string_view::npos) break;
    search = sep + 3;
    if (sep == 0 || !scheme_char(text[sep - 1])) continue;
    std::size_t end = search;
    while (end < text.size() && !authority_end(text[end])) ++end;
    const auto authority = text.substr(search, end - search);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    out.append(text.substr(copied, search - copied));
    out.append("***");
    copied = search + at;  // keep the '@' and the host
    search = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::string redact(std::string_view text, const std::vector<std::string_view>& secrets) {
  std::string out = redact_url_userinfo(text);
  for (const auto secret : secrets) {
    if (secret.empty()) continue;
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

}  // namespace ua::adapters::git
