#include "adapters/git/libgit2.hpp"

#include "adapters/git/deadline_stream.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "upgrade_agent/adapters/git/options.hpp"

namespace ua::adapters::git {

namespace detail {

namespace {

// libgit2 keeps global state (allocators, TLS, SSL setup) that must exist
// before the first call and be torn down once; a function-local static gives
// both with thread-safe initialisation.
struct Libgit2Guard {
  Libgit2Guard() {
    git_libgit2_init();
    // Sockets that honour the operation's deadline (deadline_stream.hpp).
    // Without them libgit2 uses its own, and a silent server is noticed only
    // while progress callbacks run: worth a warning, not a refusal to work.
    if (register_deadline_stream() != 0) {
      spdlog::warn("git: cannot install deadline-aware sockets ({}); network deadlines hold only while data moves",
                   last_error_message(-1));
    }
  }
  ~Libgit2Guard() { git_libgit2_shutdown(); }
  Libgit2Guard(const Libgit2Guard&) = delete;
  Libgit2Guard& operator=(const Libgit2Guard&) = delete;
};

}  // namespace

void ensure_libgit2() { static const Libgit2Guard guard; }

std::string last_error_message(int code) {
  const git_error* error = git_error_last();
  if (error != nullptr && error->message != nullptr && error->message[0] != '\0') {
    return error->message;
  }
  return "libgit2 error " + std::to_string(code);
}

std::string oid_hex(const git_oid& oid) {
  std::array<char, GIT_OID_HEXSZ + 1> text{};
  git_oid_tostr(text.data(), text.size(), &oid);
  return text.data();
}

std::string short_hex(const git_oid& oid) { return oid_hex(oid).substr(0, 12); }

}  // namespace detail

bool libgit2_supports_ssh() {
  detail::ensure_libgit2();
  return (git_libgit2_features() & GIT_FEATURE_SSH) != 0;
}

bool libgit2_supports_https() {
  detail::ensure_libgit2();
  return (git_libgit2_features() & GIT_FEATURE_HTTPS) != 0;
}

}  // namespace ua::adapters::git
