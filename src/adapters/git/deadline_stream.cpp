#include "adapters/git/deadline_stream.hpp"

#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "adapters/git/libgit2.hpp"

namespace ua::adapters::git::detail {

namespace {

thread_local StreamDeadline* active = nullptr;

// Laid out like libgit2's private git_socket_stream (parent, host, port,
// socket): its SSH transport reaches into the stream for the socket.
struct DeadlineSocket {
  git_stream parent;
  char* host;
  char* port;
  int s;
};

DeadlineSocket* self(git_stream* stream) { return reinterpret_cast<DeadlineSocket*>(stream); }

// Milliseconds poll() may wait: until the active deadline, or forever when no
// adapter operation is running on this thread (libgit2's own behaviour).
int wait_budget_ms() {
  if (active == nullptr) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(active->deadline() -
                                                                          std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
}

int timed_out(const char* what, const DeadlineSocket* socket) {
  if (active != nullptr) active->stream_timed_out();
  const std::string message = std::string(what) + " " + socket->host + ":" + socket->port + " timed out";
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

int os_error(const char* what) {
  const std::string message = std::string(what) + ": " + std::strerror(errno);
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

// Waits until `fd` is ready for `events`; 1 ready, 0 deadline passed, -1 error.
int wait_for(int fd, short events) {
  pollfd waiter{fd, events, 0};
  while (true) {
    const int rc = ::poll(&waiter, 1, wait_budget_ms());
    if (rc >= 0) return rc > 0 ? 1 : 0;
    if (errno != EINTR) return -1;
  }
}

int connect_one(const addrinfo* address, DeadlineSocket* socket) {
  const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                          address->ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  const int ready = wait_for(fd, POLLOUT);
  int error = 0;
  socklen_t length = sizeof error;
  if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    ::close(fd);
    if (ready == 0) return -2;
    errno = error != 0 ? error : errno;
    return -1;
  }
  socket->s = fd;
  return 0;
}

int connect_to_host(DeadlineSocket* socket) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(socket->host, socket->port, &hints, &found); rc != 0) {
    const std::string message = std::string("cannot resolve ") + socket->host + ": " + ::gai_strerror(rc);
    git_error_set_str(GIT_ERROR_NET, message.c_str());
    return -1;
  }
  int result = -1;
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    result = connect_one(address, socket);
    if (result == 0 || result == -2) break;
  }
  ::freeaddrinfo(found);
  if (result == -2) return timed_out("connecting to", socket);
  if (result != 0) return os_error((std::string("cannot connect to ") + socket->host + ":" + socket->port).c_str());
  return 0;
}

ssize_t read_some(const DeadlineSocket* socket, void* data, std::size_t length) {
  while (true) {
    const ssize_t got = ::recv(socket->s, data, length, 0);
    if (got >= 0) return got;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return os_error("read from the remote");
    const int ready = wait_for(socket->s, POLLIN);
    if (ready == 0) return timed_out("waiting for", socket);
    if (ready < 0) return os_error("poll");
  }
}

ssize_t write_some(const DeadlineSocket* socket, const char* data, std::size_t length) {
  while (true) {
    const ssize_t sent = ::send(socket->s, data, length, MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return os_error("write to the remote");
    const int ready = wait_for(socket->s, POLLOUT);
    if (ready == 0) return timed_out("sending to", socket);
    if (ready < 0) return os_error("poll");
  }
}

int stream_connect(git_stream* stream) {
  return guarded_callback(-1, [&] { return connect_to_host(self(stream)); });
}

ssize_t stream_read(git_stream* stream, void* data, std::size_t length) {
  return guarded_callback(ssize_t{-1}, [&] { return read_some(self(stream), data, length); });
}

ssize_t stream_write(git_stream* stream, const char* data, std::size_t length, int /*flags*/) {
  return guarded_callback(ssize_t{-1}, [&] { return write_some(self(stream), data, length); });
}

int stream_close(git_stream* stream) {
  auto* socket = self(stream);
  if (socket->s >= 0) ::close(socket->s);
  socket->s = -1;
  return 0;
}

void stream_free(git_stream* stream) {
  auto* socket = self(stream);
  stream_close(stream);
  std::free(socket->host);
  std::free(socket->port);
  delete socket;
}

int stream_init(git_stream** out, const char* host, const char* port) {
  auto* socket = new (std::nothrow) DeadlineSocket{};
  if (socket == nullptr) {
    git_error_set_oom();
    return -1;
  }
  socket->parent.version = GIT_STREAM_VERSION;
  socket->parent.connect = stream_connect;
  socket->parent.read = stream_read;
  socket->parent.write = stream_write;
  socket->parent.close = stream_close;
  socket->parent.free = stream_free;
  socket->host = ::strdup(host);
  socket->port = ::strdup(port);
  socket->s = -1;
  if (socket->host == nullptr || socket->port == nullptr) {
    stream_free(&socket->parent);
    git_error_set_oom();
    return -1;
  }
  *out = &socket->parent;
  return 0;
}

}  // namespace

ScopedStreamDeadline::ScopedStreamDeadline(StreamDeadline* deadline) : previous_(active) { active = deadline; }
ScopedStreamDeadline::~ScopedStreamDeadline() { active = previous_; }

int register_deadline_stream() {
  git_stream_registration registration{};
  registration.version = GIT_STREAM_VERSION;
  registration.init = stream_init;
  registration.wrap = nullptr;
  return git_stream_register(GIT_STREAM_STANDARD, &registration);
}

}  // namespace ua::adapters::git::detail
