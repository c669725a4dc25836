#include "upgrade_agent/adapters/git/async_repository.hpp"

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

// Runs `work(repository)` on the serial queue and hands back its result. The
// public methods are plain functions, not coroutines: each builds its job as
// a named lambda owning the arguments and the Impl, and offload() moves it
// into its own frame. No co_await expression here builds a closure or an
// aggregate inline, so g++ 12's double destruction of such temporaries (see
// README) cannot reach the caller's request.
template <class Work>
auto on_queue(const std::shared_ptr<AsyncRepository::Impl>& impl, Work work) {
  auto job = [impl, work = std::move(work)]() mutable { return work(impl->open()); };
  return runtime::offload(impl->queue, std::move(job));
}

}  // namespace

AsyncRepository::AsyncRepository(runtime::SerialQueue& queue, GitOptions options)
    : impl_(std::make_shared<Impl>(queue, std::move(options))) {}

AsyncRepository::~AsyncRepository() = default;

boost::asio::awaitable<std::string> AsyncRepository::fetch(std::optional<Deadline> deadline) {
  auto work = [deadline](Repository& repo) { return repo.fetch(deadline); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<SyncResult> AsyncRepository::sync(std::vector<std::string> known_local_commits,
                                                         std::optional<Deadline> deadline) {
  auto work = [known = std::move(known_local_commits), deadline](Repository& repo) {
    return repo.sync(known, deadline);
  };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<std::string> AsyncRepository::commit(CommitRequest request) {
  auto work = [request = std::move(request)](Repository& repo) { return repo.commit(request); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<PushResult> AsyncRepository::push_with_retry(CommitRequest request, EditFn reapply,
                                                                    std::optional<Deadline> deadline) {
  auto work = [request = std::move(request), reapply = std::move(reapply), deadline](Repository& repo) {
    return repo.push_with_retry(request, reapply, deadline);
  };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<PushResult> AsyncRepository::publish(PublishRequest request, std::optional<Deadline> deadline) {
  auto work = [request = std::move(request), deadline](Repository& repo) { return repo.publish(request, deadline); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<PushResult> AsyncRepository::revert(std::string upgrade_sha,
                                                           std::vector<std::string> known_local_commits,
                                                           std::string message, std::optional<Deadline> deadline) {
  auto work = [sha = std::move(upgrade_sha), known = std::move(known_local_commits), message = std::move(message),
               deadline](Repository& repo) { return repo.revert(sha, known, message, deadline); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<std::optional<RecentUpgrade>> AsyncRepository::find_recent_upgrade(std::string stack,
                                                                                          std::chrono::seconds window) {
  auto work = [stack = std::move(stack), window](Repository& repo) { return repo.find_recent_upgrade(stack, window); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<std::optional<std::string>> AsyncRepository::read_file_at_tip(std::string path) {
  auto work = [path = std::move(path)](Repository& repo) { return repo.read_file_at_tip(path); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<std::vector<std::string>> AsyncRepository::list_files_at_tip(std::string dir) {
  auto work = [dir = std::move(dir)](Repository& repo) { return repo.list_files_at_tip(dir); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<std::string> AsyncRepository::tip() {
  auto work = [](Repository& repo) { return repo.tip(); };
  return on_queue(impl_, std::move(work));
}

boost::asio::awaitable<void> AsyncRepository::with_repository(std::function<void(Repository&)> work) {
  return on_queue(impl_, std::move(work));
}

}  // namespace ua::adapters::git
