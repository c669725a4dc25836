#pragma once
// Steps 1, 8 and 10b as the saga sees the agent's clone. Every call runs on the
// one serial executor of the working tree, so sagas of different stacks share
// the clone safely; each call is one unit no other saga's git work can slip
// into.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::ports {

// Runs on the git thread with the worktree freshly moved to the remote tip.
// May throw: the call then fails (bad_input for std::invalid_argument,
// internal otherwise) and nothing is pushed.
using WorktreeFn = std::function<void(const std::filesystem::path& worktree)>;

struct Publish {
  std::string message;              // the seed's commit message
  std::vector<std::string> paths;   // exactly what is staged, relative to the worktree
  WorktreeFn edit;                  // applied after the sync, and again on each new tip after a rejection
};

struct Pushed {
  std::string sha;        // the commit now at the remote tip
  unsigned attempts = 0;  // pushes made, 1 = accepted at once
};

struct RecentCommit {
  std::string sha;
  std::string subject;
  std::string message;
  std::chrono::system_clock::time_point time;
  bool reverted = false;    // a newer commit says "This reverts commit <sha>"
  std::string reverted_by;  // that commit's SHA
};

class GitClone {
 public:
  virtual ~GitClone() = default;
  // Fetch and hard-move the clone to the remote tip, then run `read` on the
  // worktree (locating references); returns the tip's SHA. Refused when the
  // clone holds someone's work.
  virtual boost::asio::awaitable<core::Expected<std::string>> inspect(WorktreeFn read, core::Deadline deadline) = 0;
  // Runs `read` on the files of the first parent of the full SHA `commit`
  // (the Terraform as it was before that upgrade, for a saga resumed after a
  // crash), without moving the clone; returns the parent's SHA.
  virtual boost::asio::awaitable<core::Expected<std::string>> inspect_before(std::string commit, WorktreeFn read,
                                                                          core::Deadline deadline) = 0;
  // Sync, edit, commit, push (re-applied on a moved remote, at most 3 pushes).
  // Errors: conflict (retries exhausted), refused (hook, protection, CI skip
  // directive), unavailable/timeout (transport: the remote may have the commit).
  virtual boost::asio::awaitable<core::Expected<Pushed>> publish(Publish request, core::Deadline deadline) = 0;
  // Reverts exactly `sha` on the remote tip and pushes. A conflicting revert
  // is critical and changes nothing.
  virtual boost::asio::awaitable<core::Expected<Pushed>> revert(std::string sha, std::string message,
                                                              core::Deadline deadline) = 0;
  // The newest `upgrade: <stack> ` commit within `window` on the remote tip.
  virtual boost::asio::awaitable<core::Expected<std::optional<RecentCommit>>> recent_upgrade(
      std::string stack, std::chrono::seconds window, core::Deadline deadline) = 0;
};

}  // namespace ua::ports
