#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "upgrade_agent/runtime/blocking.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(blocking)

BOOST_AUTO_TEST_CASE(work_runs_off_the_event_loop_and_resumes_on_it) {
  asio::io_context io;
  ua::runtime::BlockingPool pool(2);
  std::thread::id loop_thread;
  std::thread::id work_thread;
  std::thread::id resumed_thread;
  int result = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        loop_thread = std::this_thread::get_id();
        result = co_await ua::runtime::offload(pool, [&] {
          work_thread = std::this_thread::get_id();
          return 42;
        });
        resumed_thread = std::this_thread::get_id();
      },
      asio::detached);
  io.run();  // returns only once the coroutine is done: the pending work keeps it alive
  BOOST_TEST(result == 42);
  BOOST_TEST((work_thread != loop_thread));
  BOOST_TEST((resumed_thread == loop_thread));
}

BOOST_AUTO_TEST_CASE(the_loop_stays_responsive_while_work_blocks) {
  asio::io_context io;
  ua::runtime::BlockingPool pool(1);
  int ticks = 0;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await ua::runtime::offload(pool, [] { std::this_thread::sleep_for(300ms); });
        done = true;
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        while (!done) {
          timer.expires_after(20ms);
          co_await timer.async_wait(asio::use_awaitable);
          ++ticks;
        }
      },
      asio::detached);
  io.run();
  BOOST_TEST(done);
  BOOST_TEST(ticks >= 5);  // a blocked loop would tick once at most
}

BOOST_AUTO_TEST_CASE(exceptions_cross_back_to_the_awaiter) {
  asio::io_context io;
  ua::runtime::BlockingPool pool(1);
  std::string caught;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await ua::runtime::offload(pool, []() -> int { throw std::runtime_error("disk on fire"); });
        } catch (const std::runtime_error& e) {
          caught = e.what();
        }
      },
      asio::detached);
  io.run();
  BOOST_TEST(caught == "disk on fire");
}

BOOST_AUTO_TEST_CASE(serial_queue_never_overlaps_and_keeps_order) {
  asio::io_context io;
  ua::runtime::BlockingPool pool(2);
  ua::runtime::SerialQueue queue(pool);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<int> order;
  for (int i = 0; i < 8; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await queue.run([&, i] {
            if (inside.fetch_add(1) != 0) ++overlaps;
            std::this_thread::sleep_for(5ms);
            order.push_back(i);  // safe: the queue runs one piece at a time
            inside.fetch_sub(1);
          });
        },
        asio::detached);
  }
  io.run();
  BOOST_TEST(overlaps.load() == 0);
  BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// GCC 12 destroys a temporary twice when it is built inside another temporary
// in a co_await expression (`co_await f([x = T()] {...})`, `co_await f(S{T()})`).
// The rule in this code base: build such callables as named locals first. This
// test pins that offload() itself destroys what it owns exactly once.
BOOST_AUTO_TEST_CASE(callables_with_owning_captures_are_destroyed_once) {
  struct Counted {
    explicit Counted(int* live) : live_(live) { ++*live_; }
    Counted(const Counted& other) : live_(other.live_) { ++*live_; }
    Counted(Counted&& other) noexcept : live_(other.live_) { ++*live_; }
    Counted& operator=(const Counted&) = delete;
    Counted& operator=(Counted&&) = delete;
    ~Counted() { --*live_; }
    int* live_;
  };
  int live = 0;
  asio::io_context io;
  ua::runtime::BlockingPool pool(1);
  std::string seen;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::string text(200, 'x');  // heap-allocated: a double free would show under ASan
        auto work = [text = std::move(text), guard = Counted(&live)] { return text; };
        seen = co_await ua::runtime::offload(pool, std::move(work));
      },
      asio::detached);
  io.run();
  BOOST_TEST(seen == std::string(200, 'x'));
  BOOST_TEST(live == 0);  // every copy destroyed exactly once
}
