#pragma once
// The git adapter as the saga sees it: every operation runs on the
// runtime::SerialQueue that owns the agent's one working tree and is awaited,
// so many sagas share the clone without ever interleaving two git operations.
// Interleaving *sequences* is the caller's concern: a saga's
// sync-edit-commit-push must be one publish() (or one with_repository()), not
// four awaits another saga could slip between.
//
// Callers, under g++ 12: build a PublishRequest / CommitRequest and an edit
// lambda with captures as named locals, then `co_await repo.publish(std::move(
// request))`. Written inline in the co_await expression (`co_await
// repo.publish({...})`, a capturing lambda argument) their members are
// destroyed twice (README, the co_await temporaries rule).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/adapters/git/repository.hpp"

namespace ua::runtime {
class SerialQueue;
}

namespace ua::adapters::git {

class AsyncRepository {
 public:
  // The clone is opened on the queue by the first operation (opening is a
  // libgit2 call too); its errors surface from that operation.
  AsyncRepository(runtime::SerialQueue& queue, GitOptions options);
  ~AsyncRepository();
  AsyncRepository(const AsyncRepository&) = delete;
  AsyncRepository& operator=(const AsyncRepository&) = delete;

  boost::asio::awaitable<std::string> fetch(std::optional<Deadline> deadline = {});
  boost::asio::awaitable<SyncResult> sync(std::vector<std::string> known_local_commits = {},
                                          std::optional<Deadline> deadline = {});
  boost::asio::awaitable<std::string> commit(CommitRequest request);
  boost::asio::awaitable<PushResult> push_with_retry(CommitRequest request, EditFn reapply,
                                                     std::optional<Deadline> deadline = {});
  boost::asio::awaitable<PushResult> publish(PublishRequest request,
                                             std::optional<Deadline> deadline = {});
  boost::asio::awaitable<PushResult> revert(std::string upgrade_sha,
                                            std::vector<std::string> known_local_commits = {},
                                            std::string message = {},
                                            std::optional<Deadline> deadline = {});
  boost::asio::awaitable<std::optional<RecentUpgrade>> find_recent_upgrade(std::string stack,
                                                                           std::chrono::seconds window);
  boost::asio::awaitable<std::optional<std::string>> read_file_at_tip(std::string path);
  boost::asio::awaitable<std::vector<std::string>> list_files_at_tip(std::string dir);
  boost::asio::awaitable<std::string> tip();

  // Runs `work` on the queue with the open clone: for sequences that must not
  // interleave with other sagas' git work.
  boost::asio::awaitable<void> with_repository(std::function<void(Repository&)> work);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ua::adapters::git
