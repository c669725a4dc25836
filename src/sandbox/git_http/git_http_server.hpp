#pragma once
// A real smart-HTTP git server for tests and the sandbox: lighttpd (Debian
// package) running `git http-backend` as CGI, behind HTTP basic auth, on
// 127.0.0.1. Bare repositories under `project_root` are served at
// http://127.0.0.1:<port>/git/<name>; push is enabled for authenticated users.
//
// The listening socket is bound here (port 0, so no race for a "free" port) and
// handed to lighttpd by systemd-style socket activation; connections made right
// after construction simply wait in the backlog, so there is no start-up
// polling. The server is stopped, and its temp dir removed, by the destructor.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ua::sandbox::git_http {

struct ServerOptions {
  std::filesystem::path project_root;  // holds the bare repositories
  std::string user = "x-access-token";
  std::string password;                // the token the server accepts
  std::filesystem::path lighttpd;      // empty: /usr/sbin/lighttpd, else PATH
  std::filesystem::path http_backend;  // empty: $UA_GIT_HTTP_BACKEND, else /usr/lib/git-core/git-http-backend
};

class Server {
 public:
  explicit Server(ServerOptions options);  // throws std::runtime_error with the server's log
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string base_url() const;  // http://127.0.0.1:<port>/git/
  [[nodiscard]] std::string url(std::string_view repository) const;
  [[nodiscard]] std::string log() const;  // lighttpd's error log so far
  [[nodiscard]] bool running() const;
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }  // config, logs; removed on stop

 private:
  void stop() noexcept;

  ServerOptions options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

}  // namespace ua::sandbox::git_http
