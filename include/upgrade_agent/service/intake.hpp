#pragma once
// The HTTP face of `serve` (README, "serve: the HTTP API"): DIUN's webhook,
// the agent's own POST /v1/upgrades, history, holds, health, readiness and
// metrics, as routes on a net::Router. The daemon owns the server, the
// journal and the workers; this only answers.
//
// Every route but /healthz and /readyz needs `Authorization: Bearer <token>`
// (compared in constant time). A request is answered 202 only once the
// journal has it on disk; duplicates, held targets, ignored DIUN statuses and
// policy refusals are answered 200 with the reason, because DIUN counts any
// other answer as a failure and never sends it again.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/net/server.hpp"
#include "upgrade_agent/service/metrics.hpp"
#include "upgrade_agent/store/async_journal.hpp"

namespace ua::service {

struct IntakeContext {
  store::AsyncJournal& journal;
  Metrics& metrics;
  // UPGRADE_AGENT_WEBHOOK_TOKEN; empty only when the daemon was told --insecure-no-auth.
  std::string token;
  std::vector<std::string> diun_statuses{"new", "update"};
  const config::UpgradeConfig& config;  // its skip_image_patterns refuse at intake
  std::function<void()> queued;         // a request was queued: wake the workers
  std::function<bool()> ready;          // the daemon's part of /readyz (config loaded, workers up)
  std::function<store::TimePoint()> now = [] { return std::chrono::system_clock::now(); };
  // Admits through AsyncJournal::admit_grouped (many webhooks per fsync).
  bool group_commit = true;
};

// Adds every route. `context` must outlive the server and every request it
// is answering (the handlers refer to it). To shut down, stop the server and
// let the event loop drain (no io_context::stop()) before the BlockingPool
// goes: a journal call still on the pool must come back to the loop, or its
// coroutine frame, which holds the pool's strand, outlives the pool.
void add_intake_routes(net::Router& router, IntakeContext& context);

// The server settings the intake is meant to run with: bodies up to 64 KiB,
// the server's own errors as JSON, 10 s to send headers and 10 s for a body
// (slow clients are cut off), and max_connections under the open-file limit.
net::ServerOptions intake_server_options(std::string host, std::uint16_t port);

// Raises this process's soft RLIMIT_NOFILE to its hard limit (systemd's
// default soft limit, 1024, is far below what held connections need) and
// returns the soft limit in force afterwards.
std::uint64_t raise_open_file_limit();

}  // namespace ua::service
