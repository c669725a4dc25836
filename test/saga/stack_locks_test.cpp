#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/saga/stack_locks.hpp"

namespace ua::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(stack_locks)

BOOST_AUTO_TEST_CASE(one_holder_per_stack_in_arrival_order_and_other_stacks_run_at_once) {
  asio::io_context io;
  saga::StackLocks locks(io.get_executor());
  std::vector<std::string> order;
  auto worker = [&](std::string name, std::string stack) -> asio::awaitable<void> {
    auto guard = co_await locks.acquire(stack, core::Clock::now() + 5s);
    BOOST_REQUIRE(guard);
    order.push_back(name + "+");
    asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
    co_await t.async_wait(asio::use_awaitable);
    order.push_back(name + "-");
  };
  asio::co_spawn(io, worker("a", "immich"), asio::detached);
  asio::co_spawn(io, worker("b", "immich"), asio::detached);
  asio::co_spawn(io, worker("c", "vaultwarden"), asio::detached);
  io.run();
  const std::vector<std::string> want{"a+", "c+", "a-", "c-", "b+", "b-"};
  BOOST_TEST(order == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_wait_past_its_deadline_times_out_and_leaves_the_queue) {
  asio::io_context io;
  saga::StackLocks locks(io.get_executor());
  std::optional<core::ErrorKind> second;
  bool third = false;
  auto holder = [&]() -> asio::awaitable<void> {
    auto g = co_await locks.acquire("s", core::Clock::now() + 1s);
    asio::steady_timer t(co_await asio::this_coro::executor, 200ms);
    co_await t.async_wait(asio::use_awaitable);
  };
  auto impatient = [&]() -> asio::awaitable<void> {
    auto g = co_await locks.acquire("s", core::Clock::now() + 50ms);
    if (!g) second = g.error().kind;
  };
  auto patient = [&]() -> asio::awaitable<void> {
    auto g = co_await locks.acquire("s", core::Clock::now() + 2s);
    third = g.has_value();
  };
  asio::co_spawn(io, holder(), asio::detached);
  asio::co_spawn(io, impatient(), asio::detached);
  asio::co_spawn(io, patient(), asio::detached);
  io.run();
  BOOST_TEST((second == core::ErrorKind::timeout));
  BOOST_TEST(third);
  BOOST_TEST(!locks.busy("s"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ua::test
