#pragma once
// Blocking work (libgit2, file scanning, SQLite commits) never runs on the
// event-loop thread: it runs here and the coroutine awaits it.
//
// An offloaded call cannot be interrupted half-way, so `run` ignores
// cancellation and always completes when the work does; deadlines for blocking
// work are enforced inside the work itself (libgit2 progress callbacks, SQLite
// busy timeouts). This keeps anything the work refers to alive until it ends.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace ua::runtime {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads = 2);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `work` on any pool thread; rethrows what it throws.
  boost::asio::awaitable<void> run(std::function<void()> work);

  // Waits for every queued piece of work to finish and stops the threads.
  void join();

  struct Impl;

 private:
  friend class SerialQueue;
  std::unique_ptr<Impl> impl_;
};

// Runs work one piece at a time, in submission order, on a BlockingPool: the
// agent's one working tree is shared by many sagas through one of these.
class SerialQueue {
 public:
  explicit SerialQueue(BlockingPool& pool);
  ~SerialQueue();
  SerialQueue(const SerialQueue&) = delete;
  SerialQueue& operator=(const SerialQueue&) = delete;

  boost::asio::awaitable<void> run(std::function<void()> work);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Value-returning form: `auto files = co_await offload(pool, [&] { return scan(dir); });`
// `f` is taken by value so that the coroutine frame owns it.
template <class Runner, class F>
auto offload(Runner& runner, F f) -> boost::asio::awaitable<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    co_await runner.run(std::function<void()>(std::move(f)));
  } else {
    std::optional<R> result;
    co_await runner.run([&result, &f] { result.emplace(f()); });
    co_return std::move(*result);
  }
}

}  // namespace ua::runtime
