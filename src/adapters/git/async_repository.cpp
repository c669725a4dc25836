#include "upgrade_agent/adapters/git/async_repository.hpp"

#include <type_traits>
#include <utility>

#include "upgrade_agent/runtime/blocking.hpp"

namespace ua::adapters::git {

struct AsyncRepository::Impl {
  Impl(runtime::SerialQueue& q, GitOptions o) : queue(q), options(std::move(o)) {}

  runtime::SerialQueue& queue;
  GitOptions options;
  std::optional<Repository> repository;  // touched only from work on `queue`

  Repository& open() {
    if (!repository) repository.emplace(Repository::open(options));
    return *repository;
  }
};

namespace {

template <class R>
using Work = std::function<R(Repository&)>;

// Runs `work(repository)` on the serial queue and hands back its result.
//
// GCC 12 mis-destroys lambdas with init-captures that are passed by value into
// coroutines (observed as a double free of the captured request), so the
// public methods are plain functions that wrap their arguments into a
// shared_ptr'd std::function, and only shared_ptrs cross into coroutines. The
// job also holds the state, so it stays valid if the awaiting coroutine is
// torn down first.
template <class R>
boost::asio::awaitable<R> on_queue(std::shared_ptr<AsyncRepository::Impl> impl, std::shared_ptr<Work<R>> work) {
  std::shared_ptr<std::optional<R>> result = std::make_shared<std::optional<R>>();
  std::function<void()> job = [impl, work, result] { result->emplace((*work)(impl->open())); };
  co_await impl->queue.run(std::move(job));
  co_return std::move(**result);
}

boost::asio::awaitable<void> on_queue_void(std::shared_ptr<AsyncRepository::Impl> impl,
                                           std::shared_ptr<Work<void>> work) {
  std::function<void()> job = [impl, work] { (*work)(impl->open()); };
  co_await impl->queue.run(std::move(job));
}

template <class R, class F>
std::shared_ptr<Work<R>> make_work(F&& f) {
  return std::make_shared<Work<R>>(std::forward<F>(f));
}

}  // namespace

AsyncRepository::AsyncRepository(runtime::SerialQueue& queue, GitOptions options)
    : impl_(std::make_shared<Impl>(queue, std::move(options))) {}

AsyncRepository::~AsyncRepository() = default;

boost::asio::awaitable<std::string> AsyncRepository::fetch(std::optional<Deadline> deadline) {
  return on_queue(impl_, make_work<std::string>([deadline](Repository& repo) { return repo.fetch(deadline); }));
}

boost::asio::awaitable<SyncResult> AsyncRepository::sync(std::vector<std::string> known_local_commits,
                                                         std::optional<Deadline> deadline) {
  return on_queue(impl_, make_work<SyncResult>([known = std::move(known_local_commits), deadline](Repository& repo) {
                    return repo.sync(known, deadline);
                  }));
}

boost::asio::awaitable<std::string> AsyncRepository::commit(CommitRequest request) {
  return on_queue(impl_, make_work<std::string>(
                             [request = std::move(request)](Repository& repo) { return repo.commit(request); }));
}

boost::asio::awaitable<PushResult> AsyncRepository::push_with_retry(CommitRequest request, EditFn reapply,
                                                                    std::optional<Deadline> deadline) {
  return on_queue(impl_, make_work<PushResult>([request = std::move(request), reapply = std::move(reapply),
                                                deadline](Repository& repo) {
                    return repo.push_with_retry(request, reapply, deadline);
                  }));
}

boost::asio::awaitable<PushResult> AsyncRepository::publish(PublishRequest request, std::optional<Deadline> deadline) {
  return on_queue(impl_, make_work<PushResult>([request = std::move(request), deadline](Repository& repo) {
                    return repo.publish(request, deadline);
                  }));
}

boost::asio::awaitable<PushResult> AsyncRepository::revert(std::string upgrade_sha,
                                                           std::vector<std::string> known_local_commits,
                                                           std::string message, std::optional<Deadline> deadline) {
  return on_queue(impl_, make_work<PushResult>([sha = std::move(upgrade_sha), known = std::move(known_local_commits),
                                                message = std::move(message), deadline](Repository& repo) {
                    return repo.revert(sha, known, message, deadline);
                  }));
}

boost::asio::awaitable<std::optional<RecentUpgrade>> AsyncRepository::find_recent_upgrade(std::string stack,
                                                                                          std::chrono::seconds window) {
  return on_queue(impl_, make_work<std::optional<RecentUpgrade>>([stack = std::move(stack), window](Repository& repo) {
                    return repo.find_recent_upgrade(stack, window);
                  }));
}

boost::asio::awaitable<std::optional<std::string>> AsyncRepository::read_file_at_tip(std::string path) {
  return on_queue(impl_, make_work<std::optional<std::string>>(
                             [path = std::move(path)](Repository& repo) { return repo.read_file_at_tip(path); }));
}

boost::asio::awaitable<std::vector<std::string>> AsyncRepository::list_files_at_tip(std::string dir) {
  return on_queue(impl_, make_work<std::vector<std::string>>(
                             [dir = std::move(dir)](Repository& repo) { return repo.list_files_at_tip(dir); }));
}

boost::asio::awaitable<std::string> AsyncRepository::tip() {
  return on_queue(impl_, make_work<std::string>([](Repository& repo) { return repo.tip(); }));
}

boost::asio::awaitable<void> AsyncRepository::with_repository(std::function<void(Repository&)> work) {
  return on_queue_void(impl_, std::make_shared<Work<void>>(std::move(work)));
}

}  // namespace ua::adapters::git
