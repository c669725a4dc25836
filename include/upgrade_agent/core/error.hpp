#pragma once
// The one failure type of the agent. Every module maps its own failures
// (net::FailureKind, git::ErrorKind, Kubernetes Status reasons, config
// problems) onto an ErrorKind at its edge, by kind; callers decide on the
// kind, never on the text. The message is for people and is never parsed back.
#include <iosfwd>
#include <string>
#include <string_view>

namespace ua::core {

enum class ErrorKind {
  bad_input,    // the request, a file or a setting is wrong: fixing the input fixes it
  not_found,    // something that should exist does not (repo, commit, CronJob, pipeline)
  refused,      // a rule or a remote said no (policy, hook, branch protection, dirty clone)
  conflict,     // the world moved under us (push rejected, revert conflict, file changed)
  unavailable,  // an outside system failed or answered wrongly (5xx, bad JSON, auth)
  timeout,      // a deadline passed
  cancelled,    // the caller cancelled; stays cancelled all the way up
  critical,     // a person must step in (the rollback itself failed)
  internal,     // a bug of ours
};

std::string_view to_string(ErrorKind kind) noexcept;
std::ostream& operator<<(std::ostream& os, ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;    // for people: what failed and why, no secrets
  std::string system;     // where it came from: "github", "git", "woodpecker", "kubernetes", "config", ...
  std::string operation;  // what was being done: "GET /repos/o/r", "push", "create job"

  [[nodiscard]] bool is(ErrorKind k) const noexcept { return kind == k; }
  // "<system>: <operation>: <message>", leaving out the empty parts.
  [[nodiscard]] std::string describe() const;
};

// The short form for parse errors, the common case in the lower modules.
Error make_error(std::string message);
Error make_error(ErrorKind kind, std::string message, std::string system = {}, std::string operation = {});

}  // namespace ua::core
