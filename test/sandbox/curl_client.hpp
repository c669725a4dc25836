#pragma once
// The simulators as a real client sees them: the simulator serves on a thread
// of its own while curl (run directly, no shell) talks to it from the test's.
// Between calls the loop is paused, so the test reads the simulator's state
// while nothing else touches it.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"

namespace ua::test {

struct CurlAnswer {
  int exit_code = -1;  // curl's: 0, 28 (timed out), 60 (certificate), ...
  int status = 0;      // 0: no HTTP answer
  std::map<std::string, std::string> headers;  // the last answer's, names in lower case
  std::string body;
  std::string err;
  double seconds = 0;
  [[nodiscard]] std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class ServingLoop {
 public:
  boost::asio::io_context io;

  ServingLoop() = default;
  ~ServingLoop() { pause(); }
  ServingLoop(const ServingLoop&) = delete;
  ServingLoop& operator=(const ServingLoop&) = delete;

  // curl with `args` (URL included) while the loop serves; -i so the answer's
  // headers come back too.
  CurlAnswer curl(std::vector<std::string> args, int timeout_ms = 20000) {
    std::vector<std::string> all{"-sS", "-i", "-w", "\n%{http_code}"};
    all.insert(all.end(), args.begin(), args.end());
    serve();
    const auto start = std::chrono::steady_clock::now();
    auto r = run_child("/usr/bin/curl", all, {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                              "all_proxy", "NO_PROXY", "no_proxy"},
                       {}, timeout_ms);
    CurlAnswer a;
    a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    pause();
    a.exit_code = r.code;
    a.err = r.err;
    const auto nl = r.out.rfind('\n');
    std::string text = nl == std::string::npos ? std::string() : r.out.substr(0, nl);
    a.status = std::atoi(r.out.substr(nl == std::string::npos ? 0 : nl + 1).c_str());
    // With -L every answer's header block is printed: the last one is the answer's.
    for (;;) {
      const auto end = text.find("\r\n\r\n");
      if (text.rfind("HTTP/", 0) != 0 || end == std::string::npos) break;
      std::istringstream block(text.substr(0, end));
      text = text.substr(end + 4);
      a.headers.clear();
      std::string line;
      std::getline(block, line);  // the status line
      while (std::getline(block, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        a.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1) == std::string::npos
                                          ? line.size()
                                          : line.find_first_not_of(' ', colon + 1));
      }
    }
    a.body = std::move(text);
    return a;
  }

 private:
  std::optional<std::thread> thread_;

  void serve() {
    io.restart();
    thread_.emplace([this] {
      auto guard = boost::asio::make_work_guard(io);
      io.run();
    });
  }
  void pause() {
    if (!thread_) return;
    boost::asio::post(io, [this] { io.stop(); });
    thread_->join();
    thread_.reset();
  }
};

}  // namespace ua::test
