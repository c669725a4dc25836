#pragma once
// Every failure of the git adapter is a GitError: what kind of failure (the saga
// decides on the kind, never on the text), which operation, which remote, and
// the library's own message. Secrets never reach the message: it is scrubbed
// of URL userinfo and of the configured token before it is built.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/error.hpp"

namespace ua::adapters::git {

enum class ErrorKind {
  library,            // libgit2 failed (I/O, corrupt object, lock held...)
  refused,            // the clone holds work we must not lose, or is in a state we won't touch
  invalid_input,      // bad message ([CI SKIP]...), bad path, bad SHA
  nothing_to_commit,  // the edit (or the revert) changes nothing on the tip
  not_found,          // a commit, branch, remote or file that should exist does not
  auth,               // the remote refused our credentials (or none were configured)
  network,            // transport failure: DNS, connection, TLS, HTTP status
  timeout,            // the operation's deadline passed
  rejected,           // the remote refused the push for a reason a retry cannot fix
  retries_exhausted,  // the push was rejected as non-fast-forward on every attempt
  revert_conflict,    // the revert of the upgrade conflicts: the CRITICAL path
};

std::string_view to_string(ErrorKind kind) noexcept;

class GitError : public std::runtime_error {
 public:
  // `detail` must already be scrubbed (see redact()).
  GitError(ErrorKind kind, std::string operation, std::string remote, std::string detail);

  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }
  [[nodiscard]] const std::string& remote() const noexcept { return remote_; }
  [[nodiscard]] const std::string& detail() const noexcept { return detail_; }
  // A revert that cannot be made: the saga reports CRITICAL and stops.
  [[nodiscard]] bool critical() const noexcept { return kind_ == ErrorKind::revert_conflict; }

 private:
  ErrorKind kind_;
  std::string operation_;
  std::string remote_;
  std::string detail_;
};

// The adapter's kinds as the agent's, at the module's edge:
//   refused, rejected (hook, protection)       -> refused
//   invalid_input                              -> bad_input
//   nothing_to_commit                          -> conflict: the tip already holds
//                                                 the change (someone made it, or it
//                                                 was reverted before); look again
//   not_found                                  -> not_found
//   auth, network                              -> unavailable
//   timeout                                    -> timeout
//   retries_exhausted                          -> conflict (the remote kept moving)
//   revert_conflict                            -> critical
//   library (I/O, lock held, corrupt object)   -> unavailable: the clone's storage
//                                                 failed, not our logic
core::ErrorKind error_kind(ErrorKind kind) noexcept;
// system "git", operation "<operation> (remote '<remote>')", the scrubbed detail.
core::Error to_error(const GitError& error);

// "https://user:token@host/x" -> "https://***@host/x", for every URL in `text`.
std::string redact_url_userinfo(std::string_view text);

// redact_url_userinfo, then every occurrence of each non-empty secret replaced by "***".
std::string redact(std::string_view text, const std::vector<std::string_view>& secrets);

}  // namespace ua::adapters::git
