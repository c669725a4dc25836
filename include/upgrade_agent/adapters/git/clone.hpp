#pragma once
// ports::GitClone over the git adapter: each call is one job on the clone's
// serial queue (so no other saga's git work slips between its sync and its
// push), and every failure comes back as a core::Error, never an exception.
//
// Known local commits: none are passed on; publish() and revert() leave the
// clone on the fetched tip whenever they fail after syncing, so a later
// sync has nothing of ours to drop.
#include "upgrade_agent/adapters/git/async_repository.hpp"
#include "upgrade_agent/ports/git_clone.hpp"

namespace ua::adapters::git {

class GitCloneAdapter final : public ports::GitClone {
 public:
  // `repository` outlives the adapter and every call in flight.
  explicit GitCloneAdapter(AsyncRepository& repository) : repository_(repository) {}

  boost::asio::awaitable<core::Expected<std::string>> inspect(ports::WorktreeFn read, core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<std::string>> inspect_before(std::string commit, ports::WorktreeFn read,
                                                                  core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::Pushed>> publish(ports::Publish request,
                                                                core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<ports::Pushed>> revert(std::string sha, std::string message,
                                                               core::Deadline deadline) override;
  boost::asio::awaitable<core::Expected<std::optional<ports::RecentCommit>>> recent_upgrade(
      std::string stack, std::chrono::seconds window, core::Deadline deadline) override;

 private:
  AsyncRepository& repository_;
};

}  // namespace ua::adapters::git
