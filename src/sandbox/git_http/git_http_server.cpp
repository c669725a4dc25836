#include "sandbox/git_http/git_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace ua::sandbox::git_http {

namespace fs = std::filesystem;

namespace {

constexpr int kHighFd = 10;  // fds handed to the child live above 3 before they are moved down
constexpr int kStopGraceMs = 5000;
constexpr int kProbeTimeoutSeconds = 10;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error("git http server: " + what + ": " + std::strerror(errno));
}

// Moves `fd` above the descriptors the child rearranges (0-3), close-on-exec.
Fd lift(Fd fd) {
  if (fd.get() >= kHighFd) return fd;
  const int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, kHighFd);
  if (lifted < 0) fail_errno("fcntl");
  return Fd(lifted);
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "ua-git-http-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail_errno("mkdtemp");
  return pattern;
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("git http server: cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// lighttpd.conf strings are double-quoted; none of ours may break out of that.
std::string quoted(const std::string& value) {
  if (value.find_first_of("\"\\\n\r") != std::string::npos) {
    throw std::runtime_error("git http server: unsupported character in '" + value + "'");
  }
  return "\"" + value + "\"";
}

fs::path find_program(const fs::path& configured, std::initializer_list<const char*> candidates, const char* name) {
  if (!configured.empty()) return configured;
  for (const char* candidate : candidates) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      auto full = fs::path(dir) / name;
      if (!dir.empty() && ::access(full.c_str(), X_OK) == 0) return full;
    }
  }
  throw std::runtime_error(std::string("git http server: ") + name + " not found (run tools/setup)");
}

std::string config_text(const fs::path& dir, const fs::path& root, const fs::path& backend) {
  const auto q = [](const fs::path& p) { return quoted(p.string()); };
  std::ostringstream c;
  c << "server.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_alias\", \"mod_setenv\", \"mod_cgi\")\n"
    << "server.document-root = " << q(dir / "www") << "\n"
    << "server.errorlog = " << q(dir / "error.log") << "\n"
    << "server.upload-dirs = (" << q(dir / "upload") << ")\n"
    // The socket comes from us (LISTEN_FDS); bind/port must describe it.
    << "server.systemd-socket-activation = \"enable\"\n"
    << "server.bind = \"127.0.0.1\"\n"
    << "server.port = " << "%PORT%" << "\n"
    << "alias.url = ( \"/git/\" => " << quoted(backend.string() + "/") << " )\n"
    << "$HTTP[\"url\"] =~ \"^/git/\" {\n"
    << "  cgi.assign = ( \"\" => \"\" )\n"
    << "  setenv.set-environment = (\n"
    << "    \"GIT_PROJECT_ROOT\" => " << q(root) << ",\n"
    << "    \"GIT_HTTP_EXPORT_ALL\" => \"1\",\n"
    // Nothing from the machine's or user's git config reaches the backend.
    << "    \"HOME\" => " << q(dir / "home") << ",\n"
    << "    \"GIT_CONFIG_NOSYSTEM\" => \"1\",\n"
    << "    \"GIT_CONFIG_COUNT\" => \"1\",\n"
    << "    \"GIT_CONFIG_KEY_0\" => \"http.receivepack\",\n"
    << "    \"GIT_CONFIG_VALUE_0\" => \"true\",\n"
    << "    \"PATH\" => \"/usr/local/bin:/usr/bin:/bin\"\n"
    << "  )\n"
    << "}\n"
    << "auth.backend = \"plain\"\n"
    << "auth.backend.plain.userfile = " << q(dir / "users") << "\n"
    << "auth.require = ( \"/git/\" => ( \"method\" => \"basic\", \"realm\" => \"git\", \"require\" => \"valid-user\" ) )\n";
  return c.str();
}

// Writes the decimal digits of `value` at `out` (async-signal-safe: used between fork and exec).
void write_decimal(char* out, long value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 23);
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (options_.user.empty() || options_.user.find_first_of(":\n\r") != std::string::npos) {
    throw std::runtime_error("git http server: the user must be non-empty without ':' or line breaks");
  }
  if (options_.password.empty() || options_.password.find_first_of("\n\r") != std::string::npos) {
    throw std::runtime_error("git http server: the password must be non-empty without line breaks");
  }
  const auto lighttpd = find_program(options_.lighttpd, {"/usr/sbin/lighttpd"}, "lighttpd");
  fs::path backend = options_.http_backend;
  if (backend.empty()) {
    const char* env = std::getenv("UA_GIT_HTTP_BACKEND");
    backend = env != nullptr && env[0] != '\0' ? fs::path(env) : fs::path("/usr/lib/git-core/git-http-backend");
  }
  if (::access(backend.c_str(), X_OK) != 0) {
    throw std::runtime_error("git http server: " + backend.string() + " is not executable (install git)");
  }
  const auto root = fs::absolute(options_.project_root);

  dir_ = make_temp_dir();
  try {
    fs::create_directories(dir_ / "www");
    fs::create_directories(dir_ / "upload");
    fs::create_directories(dir_ / "home");
    write_file(dir_ / "users", options_.user + ":" + options_.password + "\n");
    fs::permissions(dir_ / "users", fs::perms::owner_read | fs::perms::owner_write);

    Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener.get() < 0) fail_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail_errno("bind");
    if (::listen(listener.get(), 64) != 0) fail_errno("listen");
    socklen_t length = sizeof address;
    if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) fail_errno("getsockname");
    port_ = ntohs(address.sin_port);

    auto config = config_text(dir_, root, backend);
    config.replace(config.find("%PORT%"), 6, std::to_string(port_));
    write_file(dir_ / "lighttpd.conf", config);

    listener = lift(std::move(listener));
    Fd devnull = lift(Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
    Fd output = lift(Fd(::open((dir_ / "output.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)));
    if (devnull.get() < 0 || output.get() < 0) fail_errno("open");
    std::array<int, 2> pipe_fds{};
    if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) fail_errno("pipe2");
    Fd exec_read = lift(Fd(pipe_fds[0]));
    Fd exec_write = lift(Fd(pipe_fds[1]));

    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls.
    const std::string program = lighttpd.string();
    const std::string config_path = (dir_ / "lighttpd.conf").string();
    std::vector<std::string> args = {"lighttpd", "-D", "-f", config_path};
    std::vector<std::string> env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LISTEN_FDS=1",
                                    "LISTEN_PID=" + std::string(24, '\0')};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);
    char* listen_pid_digits = env[2].data() + std::strlen("LISTEN_PID=");

    // fork, not posix_spawn or Boost.Process: socket activation wants
    // LISTEN_PID to be the server's own pid, which only exists after the fork.
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) {
      ::dup2(devnull.get(), 0);
      ::dup2(output.get(), 1);
      ::dup2(output.get(), 2);
      ::dup2(listener.get(), 3);  // dup2 clears close-on-exec on the copy
      ::close_range(4, ~0U, CLOSE_RANGE_CLOEXEC);
      write_decimal(listen_pid_digits, static_cast<long>(::getpid()));
      ::execve(program.c_str(), argv.data(), envp.data());
      const int error = errno;
      [[maybe_unused]] const auto written = ::write(exec_write.get(), &error, sizeof error);
      ::_exit(127);
    }
    pid_ = pid;
    // Debian 12's <sys/pidfd.h> lacks extern "C"; the syscall is the same thing.
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    exec_write.reset();
    listener.reset();  // lighttpd holds the only copy: if it dies, clients get "connection refused"

    int exec_error = 0;
    const auto got = ::read(exec_read.get(), &exec_error, sizeof exec_error);
    if (got > 0) {
      errno = exec_error;
      stop();
      fail_errno("cannot start " + program);
    }

    // One request before anyone relies on it: lighttpd accepted its config and
    // answers /git/ with 401 (auth required). A blocking read with a timeout, not a poll loop.
    Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval timeout{kProbeTimeoutSeconds, 0};
    ::setsockopt(probe.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(probe.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string status;
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      const std::string request = "GET /git/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
      if (::send(probe.get(), request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        std::array<char, 64> buffer{};
        const auto n = ::recv(probe.get(), buffer.data(), buffer.size(), 0);
        if (n > 0) status.assign(buffer.data(), static_cast<std::size_t>(n));
      }
    }
    if (status.find(" 401") == std::string::npos) {
      stop();
      throw std::runtime_error("git http server did not come up (answer: '" + status.substr(0, status.find('\r')) +
                               "'); log: " + log() + read_file(dir_ / "output.log"));
    }
  } catch (...) {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

Server::~Server() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Server::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (pidfd_ >= 0) {
    pollfd waiter{pidfd_, POLLIN, 0};
    if (::poll(&waiter, 1, kStopGraceMs) == 0) ::kill(pid_, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  pid_ = -1;
}

bool Server::running() const {
  if (pid_ <= 0 || pidfd_ < 0) return false;
  pollfd waiter{pidfd_, POLLIN, 0};
  return ::poll(&waiter, 1, 0) == 0;
}

std::string Server::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/git/"; }

std::string Server::url(std::string_view repository) const { return base_url() + std::string(repository); }

std::string Server::log() const { return read_file(dir_ / "error.log"); }

}  // namespace ua::sandbox::git_http
