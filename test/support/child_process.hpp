#pragma once
// Runs a program the way a user would, but directly (posix_spawn, no shell):
// stdout and stderr captured separately, exit code returned. Shared by the
// suites that drive the built CLI.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace ua::test {

struct ChildResult {
  int code = -1;  // -1: killed by a signal, or not finished before the timeout
  std::string out;
  std::string err;
};

// The child's environment is this process's without the variables whose names
// start with one of `drop_prefixes` (so a developer's own settings cannot leak
// into a test), plus `extra_env` ("NAME=value").
// argv and envp for posix_spawn, owning their strings.
class SpawnArgs {
 public:
  SpawnArgs(const std::string& program, const std::vector<std::string>& args,
            const std::vector<std::string>& drop_prefixes, const std::vector<std::string>& extra_env) {
    for (char** e = environ; *e != nullptr; ++e) {
      bool dropped = false;
      for (const auto& prefix : drop_prefixes) dropped = dropped || std::strncmp(*e, prefix.c_str(), prefix.size()) == 0;
      if (!dropped) env_store_.emplace_back(*e);
    }
    env_store_.insert(env_store_.end(), extra_env.begin(), extra_env.end());
    for (auto& e : env_store_) envp_.push_back(e.data());
    envp_.push_back(nullptr);
    argv_store_.push_back(program);
    argv_store_.insert(argv_store_.end(), args.begin(), args.end());
    for (auto& a : argv_store_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
  }
  SpawnArgs(const SpawnArgs&) = delete;
  SpawnArgs& operator=(const SpawnArgs&) = delete;
  char* const* argv() { return argv_.data(); }
  char* const* envp() { return envp_.data(); }

 private:
  std::vector<std::string> env_store_;
  std::vector<std::string> argv_store_;
  std::vector<char*> envp_;
  std::vector<char*> argv_;
};

inline ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                             const std::vector<std::string>& drop_prefixes,
                             const std::vector<std::string>& extra_env = {}, int timeout_ms = 120000) {
  SpawnArgs spawn(program, args, drop_prefixes, extra_env);
  int out_pipe[2];
  int err_pipe[2];
  BOOST_REQUIRE(::pipe(out_pipe) == 0);
  BOOST_REQUIRE(::pipe(err_pipe) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, spawn.argv(), spawn.envp());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  BOOST_REQUIRE(rc == 0);

  ChildResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open = 2;
  char buf[8192];
  while (open > 0 && ::poll(fds, 2, timeout_ms) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) ::close(fd.fd);
  }
  if (open > 0) ::kill(pid, SIGKILL);  // timed out: never leave a child behind
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = (open == 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return r;
}

// A program left running (a server the test talks to): its stdout read line
// by line, its stderr kept in a file, stopped with a signal. Killed, never
// left behind, if the test ends first.
class BackgroundChild {
 public:
  BackgroundChild(const std::string& program, const std::vector<std::string>& args,
                  const std::vector<std::string>& drop_prefixes, const std::vector<std::string>& extra_env = {}) {
    SpawnArgs spawn(program, args, drop_prefixes, extra_env);
    int out_pipe[2];
    BOOST_REQUIRE(::pipe(out_pipe) == 0);
    char err_name[] = "/tmp/ua-child-err-XXXXXX";
    const int err_fd = ::mkstemp(err_name);
    BOOST_REQUIRE(err_fd >= 0);
    err_path_ = err_name;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
    const int rc = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, spawn.argv(), spawn.envp());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_fd);
    out_ = out_pipe[0];
    BOOST_REQUIRE(rc == 0);
  }
  BackgroundChild(const BackgroundChild&) = delete;
  BackgroundChild& operator=(const BackgroundChild&) = delete;
  ~BackgroundChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
    ::unlink(err_path_.c_str());
  }

  // The next line of stdout (without its newline); nullopt at end of file or
  // when none comes within the timeout.
  std::optional<std::string> read_line(int timeout_ms = 60000) {
    for (;;) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      pollfd fd{out_, POLLIN, 0};
      if (::poll(&fd, 1, timeout_ms) <= 0) return std::nullopt;
      char buf[4096];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Waits up to `timeout_ms` for the program to end by itself; its wait
  // status (WIFEXITED, WTERMSIG...), or nullopt while it still runs.
  std::optional<int> wait_exit(int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return status;
      }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      ::usleep(20000);
    }
  }

  // Sends `sig` and waits; the exit code, or -1 if a signal ended it.
  int stop(int sig = SIGINT) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  [[nodiscard]] std::string err() const {
    std::string out;
    if (FILE* f = std::fopen(err_path_.c_str(), "r")) {
      char buf[4096];
      std::size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  std::string err_path_;
};

}  // namespace ua::test
