#include "upgrade_agent/runtime/blocking.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace ua::runtime {

namespace asio = boost::asio;

struct BlockingPool::Impl {
  explicit Impl(std::size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

struct SerialQueue::Impl {
  explicit Impl(asio::thread_pool& pool) : strand(asio::make_strand(pool)) {}
  asio::strand<asio::thread_pool::executor_type> strand;
};

namespace {

// Posts `work` to `target`, then resumes the awaiting coroutine on its own
// executor. The work guard keeps the caller's io_context from running out of
// work (and returning from run()) while the coroutine waits here.
template <class Target>
asio::awaitable<void> run_on(Target target, std::function<void()> work) {
  auto caller = co_await asio::this_coro::executor;
  std::exception_ptr failure;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&](auto handler) {
        auto guard = asio::make_work_guard(caller);
        asio::post(target, [&, handler = std::move(handler), guard = std::move(guard)]() mutable {
          try {
            work();
          } catch (...) {
            failure = std::current_exception();
          }
          auto handler_executor = asio::get_associated_executor(handler, guard.get_executor());
          asio::post(handler_executor, std::move(handler));
        });
      },
      asio::use_awaitable);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

BlockingPool::BlockingPool(std::size_t threads) : impl_(std::make_unique<Impl>(threads == 0 ? 1 : threads)) {}
BlockingPool::~BlockingPool() { impl_->pool.join(); }

asio::awaitable<void> BlockingPool::run(std::function<void()> work) {
  co_await run_on(impl_->pool.get_executor(), std::move(work));
}

void BlockingPool::join() { impl_->pool.join(); }

SerialQueue::SerialQueue(BlockingPool& pool) : impl_(std::make_unique<Impl>(pool.impl_->pool)) {}
SerialQueue::~SerialQueue() = default;

asio::awaitable<void> SerialQueue::run(std::function<void()> work) {
  co_await run_on(impl_->strand, std::move(work));
}

}  // namespace ua::runtime
