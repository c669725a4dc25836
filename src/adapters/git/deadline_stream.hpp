#pragma once
// libgit2 1.5 has no network timeouts (GIT_OPT_SET_SERVER_TIMEOUT and
// GIT_OPT_SET_SERVER_CONNECT_TIMEOUT arrived in 1.7), and its progress
// callbacks do not run while it waits for a silent server. So the adapter
// registers its own plain socket stream (git_stream_register): connect, read
// and write wait with poll() until the deadline of the network operation
// running on this thread, then fail. HTTPS is layered by libgit2 on top of it,
// so both http and https get the deadline. SSH reads the socket directly
// (libssh2), so only its connect is bounded.
#include <chrono>
#include <optional>

namespace ua::adapters::git::detail {

// What the stream needs from the operation in progress on this thread.
class StreamDeadline {
 public:
  virtual ~StreamDeadline() = default;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point deadline() const = 0;
  virtual void stream_timed_out() = 0;
};

// Makes `deadline` the one this thread's streams obey until the scope ends.
class ScopedStreamDeadline {
 public:
  explicit ScopedStreamDeadline(StreamDeadline* deadline);
  ~ScopedStreamDeadline();
  ScopedStreamDeadline(const ScopedStreamDeadline&) = delete;
  ScopedStreamDeadline& operator=(const ScopedStreamDeadline&) = delete;

 private:
  StreamDeadline* previous_;
};

// Registers the stream with libgit2 (once; called from ensure_libgit2).
int register_deadline_stream();

}  // namespace ua::adapters::git::detail
