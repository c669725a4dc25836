#pragma once
// Many upgrade requests under the daemon's rules, on one event loop: at most
// `max_concurrency` sagas run at once, one saga per stack (each saga waits
// for its stack's lock, saga::StackLocks), results come back in input order.
// `batch` runs a file through it; `serve` can reuse it for its queue.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "upgrade_agent/request/request.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::service {

struct BatchOptions {
  unsigned max_concurrency = 10;    // UPGRADE_AGENT_MAX_CONCURRENCY; 0 counts as 1
  std::string id_prefix = "batch";  // job ids: <prefix>-1, <prefix>-2, ... in input order
};

// The saga's job for one request.
saga::Job to_job(const request::UpgradeRequest& request, std::string id);

// Runs every request to its end and returns one result per request, in
// input order. Requests start in input order as slots free up.
//
// Cancellation: a total cancellation (the first SIGINT) reaches every running
// saga (each reverts what it pushed unverified and reports) and starts no
// more; a terminal one ends the running sagas at once. A request that never
// started ends `cancelled`, its reason saying so. Never throws for a request's
// failure: that is its result.
boost::asio::awaitable<std::vector<saga::Result>> run_batch(saga::Ports ports, saga::Context context,
                                                            std::vector<request::UpgradeRequest> requests,
                                                            saga::Observer& observer, BatchOptions options);

// Upgraded, already at the target, or refused by policy: the ends a batch
// counts as fine. Everything else (rolled back, aborted, failed, not
// referenced, ...) needs a look.
bool ended_well(saga::Outcome outcome) noexcept;

// 0 when there was no bad line and every result ended well, else 1.
int batch_exit_code(const std::vector<saga::Result>& results, std::size_t bad_lines) noexcept;

// The outcomes as an aligned text table, one row per request:
// LINE IMAGE TAG STACK OUTCOME REASON (the reason's first line, clipped).
// `entries` and `results` are parallel (run_batch's order).
std::string outcome_table(const std::vector<request::BatchEntry>& entries, const std::vector<saga::Result>& results);

}  // namespace ua::service
