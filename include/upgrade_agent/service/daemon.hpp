#pragma once
// `serve`: the daemon. Requests come in over HTTP (DIUN's webhook, the flat
// API) and are answered only once they are in the journal; workers take them
// from the journal's queue under the concurrency limit and the rate-limit
// window, one saga per stack, and journal every step. A process that dies at
// any moment is finished by the next start: the clone is put back on the
// remote tip, and each unfinished saga resumes from its last checkpoint.
// SIGTERM (or SIGINT) stops taking requests, stops the running sagas at their
// next checkpoint and exits within the drain time; a second signal exits at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"

namespace ua::net {
class Router;
}

namespace ua::service {

class Daemon;

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  bool insecure_no_auth = false;  // loopback only: no bearer token required
  std::chrono::milliseconds drain = std::chrono::seconds(8);  // SIGTERM to exit, at most
  std::chrono::milliseconds idle_poll = std::chrono::seconds(30);  // the queue is read at least this often
};

// Whether `host` is a loopback address or name ("127.0.0.1", "::1", "localhost").
bool is_loopback(const std::string& host);

// Runs the daemon until a signal; returns the process's exit code (0 after
// a clean drain). Logs "serve: listening on URL" once requests are taken.
int serve(config::Settings settings, config::UpgradeConfig config, ServeOptions options);

}  // namespace ua::service
