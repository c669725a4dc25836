#include "upgrade_agent/adapters/git/clone.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace ua::adapters::git {

namespace asio = boost::asio;

namespace {

// The one place where the adapter's exceptions end. A caller's edit or reader
// throwing std::invalid_argument said its input was wrong; anything else it
// throws is a bug. A chain cancelled before the job was queued (the caller's
// throw_if_cancelled) stays cancelled; once queued, git work runs to its end.
template <class T>
asio::awaitable<core::Expected<T>> expected_of(asio::awaitable<T> op, std::string operation) {
  std::optional<core::Error> error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(op);
      co_return core::ok();
    } else {
      T value = co_await std::move(op);
      co_return value;
    }
  } catch (const GitError& e) {
    error = to_error(e);
  } catch (const std::invalid_argument& e) {
    error = core::make_error(core::ErrorKind::bad_input, e.what(), "git", operation);
  } catch (const boost::system::system_error& e) {
    const bool cancelled = e.code() == asio::error::operation_aborted;
    error = core::make_error(cancelled ? core::ErrorKind::cancelled : core::ErrorKind::internal,
                             cancelled ? std::string("cancelled") : std::string(e.what()), "git", operation);
  } catch (const std::exception& e) {
    error = core::make_error(core::ErrorKind::internal, e.what(), "git", operation);
  } catch (...) {
    error = core::make_error(core::ErrorKind::internal, "unknown exception", "git", operation);
  }
  co_return std::move(*error);
}

// A private folder under the system's temporary directory, removed with
// everything in it when the scope ends.
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary folder: " + std::string(std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

ports::Pushed to_port(const PushResult& result) {
  ports::Pushed pushed;
  pushed.sha = result.sha;
  pushed.attempts = result.attempts;
  return pushed;
}

}  // namespace

asio::awaitable<core::Expected<std::string>> GitCloneAdapter::inspect(ports::WorktreeFn read,
                                                                      core::Deadline deadline) {
  // Sync and read are one job on the queue: the reader sees exactly the tip
  // returned, with no other saga's work in between.
  std::string tip;
  std::function<void(Repository&)> work = [&tip, read = std::move(read), deadline](Repository& repo) {
    tip = repo.sync({}, deadline).tip;
    read(repo.worktree());
  };
  auto job = repository_.with_repository(std::move(work));
  auto done = co_await expected_of(std::move(job), "inspect");
  if (!done) co_return done.error();
  co_return tip;
}

asio::awaitable<core::Expected<std::string>> GitCloneAdapter::inspect_before(std::string commit,
                                                                             ports::WorktreeFn read,
                                                                             core::Deadline deadline) {
  std::string parent;
  std::function<void(Repository&)> work = [&parent, commit = std::move(commit), read = std::move(read),
                                            deadline](Repository& repo) {
    repo.fetch(deadline);
    const ScratchFolder scratch("upgrade-agent-before-");
    parent = repo.export_parent(commit, scratch.path());
    read(scratch.path());
  };
  auto job = repository_.with_repository(std::move(work));
  auto done = co_await expected_of(std::move(job), "inspect before");
  if (!done) co_return done.error();
  co_return parent;
}

asio::awaitable<core::Expected<ports::Pushed>> GitCloneAdapter::publish(ports::Publish request,
                                                                        core::Deadline deadline) {
  PublishRequest publish;
  publish.commit.message = std::move(request.message);
  publish.commit.paths = std::move(request.paths);
  publish.edit = std::move(request.edit);
  auto job = repository_.publish(std::move(publish), deadline);
  auto pushed = co_await expected_of(std::move(job), "publish");
  if (!pushed) co_return pushed.error();
  co_return to_port(*pushed);
}

asio::awaitable<core::Expected<ports::Pushed>> GitCloneAdapter::revert(std::string sha, std::string message,
                                                                       core::Deadline deadline) {
  auto job = repository_.revert(std::move(sha), {}, std::move(message), deadline);
  auto pushed = co_await expected_of(std::move(job), "revert");
  if (!pushed) co_return pushed.error();
  co_return to_port(*pushed);
}

asio::awaitable<core::Expected<std::optional<ports::RecentCommit>>> GitCloneAdapter::recent_upgrade(
    std::string stack, std::chrono::seconds window, core::Deadline deadline) {
  // "On the remote tip": fetch first, in the same job as the query.
  std::optional<RecentUpgrade> found;
  std::function<void(Repository&)> work = [&found, stack = std::move(stack), window, deadline](Repository& repo) {
    repo.fetch(deadline);
    found = repo.find_recent_upgrade(stack, window);
  };
  auto job = repository_.with_repository(std::move(work));
  auto done = co_await expected_of(std::move(job), "recent upgrade");
  if (!done) co_return done.error();
  std::optional<ports::RecentCommit> recent;
  if (found) {
    ports::RecentCommit commit;
    commit.sha = found->commit.sha;
    commit.subject = found->commit.subject;
    commit.message = found->commit.message;
    commit.time = found->commit.time;
    commit.reverted = found->reverted;
    commit.reverted_by = found->reverted_by;
    recent = std::move(commit);
  }
  co_return recent;
}

}  // namespace ua::adapters::git
