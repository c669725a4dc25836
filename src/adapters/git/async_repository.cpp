#include "upgrade_agent/adapters/git/async_repository.hpp"

#include <type_traits>

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

// Runs `f(repository)` on the serial queue. The work holds its own reference
// to the state, so it stays valid even if the awaiting coroutine is torn down.
template <class F>
auto on_queue(const std::shared_ptr<AsyncRepository::Impl>& impl, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&, Repository&>> {
  co_return co_await runtime::offload(impl->queue, [impl, f = std::move(f)]() mutable { return f(impl->open()); });
}

}  // namespace

AsyncRepository::AsyncRepository(runtime::SerialQueue& queue, GitOptions options)
    : impl_(std::make_shared<Impl>(queue, std::move(options))) {}

AsyncRepository::~AsyncRepository() = default;

boost::asio::awaitable<std::string> AsyncRepository::fetch(std::optional<Deadline> deadline) {
  co_return co_await on_queue(impl_, [deadline](Repository& repo) { return repo.fetch(deadline); });
}

boost::asio::awaitable<SyncResult> AsyncRepository::sync(std::vector<std::string> known_local_commits,
                                                         std::optional<Deadline> deadline) {
  co_return co_await on_queue(impl_, [known = std::move(known_local_commits), deadline](Repository& repo) {
    return repo.sync(known, deadline);
  });
}

boost::asio::awaitable<std::string> AsyncRepository::commit(CommitRequest request) {
  co_return co_await on_queue(impl_, [request = std::move(request)](Repository& repo) { return repo.commit(request); });
}

boost::asio::awaitable<PushResult> AsyncRepository::push_with_retry(CommitRequest request, EditFn reapply,
                                                                    std::optional<Deadline> deadline) {
  co_return co_await on_queue(impl_, [request = std::move(request), reapply = std::move(reapply),
                                      deadline](Repository& repo) {
    return repo.push_with_retry(request, reapply, deadline);
  });
}

boost::asio::awaitable<PushResult> AsyncRepository::publish(PublishRequest request, std::optional<Deadline> deadline) {
  co_return co_await on_queue(impl_, [request = std::move(request), deadline](Repository& repo) {
    return repo.publish(request, deadline);
  });
}

boost::asio::awaitable<PushResult> AsyncRepository::revert(std::string upgrade_sha,
                                                           std::vector<std::string> known_local_commits,
                                                           std::string message, std::optional<Deadline> deadline) {
  co_return co_await on_queue(impl_, [sha = std::move(upgrade_sha), known = std::move(known_local_commits),
                                      message = std::move(message), deadline](Repository& repo) {
    return repo.revert(sha, known, message, deadline);
  });
}

boost::asio::awaitable<std::optional<RecentUpgrade>> AsyncRepository::find_recent_upgrade(std::string stack,
                                                                                          std::chrono::seconds window) {
  co_return co_await on_queue(impl_, [stack = std::move(stack), window](Repository& repo) {
    return repo.find_recent_upgrade(stack, window);
  });
}

boost::asio::awaitable<std::optional<std::string>> AsyncRepository::read_file_at_tip(std::string path) {
  co_return co_await on_queue(impl_, [path = std::move(path)](Repository& repo) { return repo.read_file_at_tip(path); });
}

boost::asio::awaitable<std::vector<std::string>> AsyncRepository::list_files_at_tip(std::string dir) {
  co_return co_await on_queue(impl_, [dir = std::move(dir)](Repository& repo) { return repo.list_files_at_tip(dir); });
}

boost::asio::awaitable<std::string> AsyncRepository::tip() {
  co_return co_await on_queue(impl_, [](Repository& repo) { return repo.tip(); });
}

boost::asio::awaitable<void> AsyncRepository::with_repository(std::function<void(Repository&)> work) {
  co_await on_queue(impl_, [work = std::move(work)](Repository& repo) { work(repo); });
}

}  // namespace ua::adapters::git
