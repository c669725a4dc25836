// ua-github-sim [--port N] [--repo OWNER/NAME --releases N] [--delay-ms N]
// Serves the GitHub simulator on 127.0.0.1 until SIGINT/SIGTERM; prints
// GITHUB_API_URL=... on its first line (tools/bench.d, manual runs).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

#include "sandbox/github/github_simulator.hpp"

namespace {

bool number(std::string_view text, unsigned long& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

int usage() {
  std::fputs("usage: ua-github-sim [--port N] [--repo OWNER/NAME --releases N] [--delay-ms N]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long port = 0;
  unsigned long releases = 0;
  unsigned long delay_ms = 0;
  std::string repo;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string_view value = argv[i + 1];
    if (flag == "--port") {
      if (!number(value, port) || port > 65535) return usage();
    } else if (flag == "--releases") {
      if (!number(value, releases) || releases > 100000) return usage();
    } else if (flag == "--delay-ms") {
      if (!number(value, delay_ms)) return usage();
    } else if (flag == "--repo") {
      repo = std::string(value);
    } else {
      return usage();
    }
  }
  auto scenario = ua::sandbox::github::default_scenario();
  if (!repo.empty()) {
    scenario.repos.push_back(ua::sandbox::github::Repo{repo, 0, ua::sandbox::github::numbered_releases(releases), std::nullopt});
  }
  scenario.faults.delay = std::chrono::milliseconds(delay_ms);
  boost::asio::io_context io;
  ua::net::ServerOptions options;
  options.port = static_cast<std::uint16_t>(port);
  ua::sandbox::github::Simulator simulator(io.get_executor(), std::move(scenario), options);
  auto started = simulator.start();
  if (!started) {
    std::fprintf(stderr, "ua-github-sim: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("GITHUB_API_URL=%s\n", simulator.url().c_str());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    simulator.stop();
    io.stop();
  });
  io.run();
  return 0;
}
