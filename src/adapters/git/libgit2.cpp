#include "adapters/git/libgit2.hpp"

#include "adapters/git/deadline_stream.hpp"

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
    // Sockets that honour the operation's deadline (deadline_stream.hpp). If
    // registration failed, libgit2 would use its own sockets: the deadline
    // would then only be checked from progress callbacks.
    registered = register_deadline_stream() == 0;
  }
  ~Libgit2Guard() { git_libgit2_shutdown(); }
  Libgit2Guard(const Libgit2Guard&) = delete;
  Libgit2Guard& operator=(const Libgit2Guard&) = delete;
  bool registered = false;
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
