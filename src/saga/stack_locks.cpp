#include "upgrade_agent/saga/stack_locks.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>

namespace ua::saga {

namespace asio = boost::asio;

namespace {
struct Waiter {
  explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool granted = false;
};
}  // namespace

// Ownership passes straight from the releasing saga to the first waiter, so a
// newcomer can never overtake a saga that has been waiting.
struct StackLocks::Slot {
  bool held = false;
  std::deque<std::shared_ptr<Waiter>> waiters;
};

StackLocks::Guard::Guard(Guard&& other) noexcept
    : locks_(std::exchange(other.locks_, nullptr)), stack_(std::move(other.stack_)) {}

StackLocks::Guard& StackLocks::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    release();
    locks_ = std::exchange(other.locks_, nullptr);
    stack_ = std::move(other.stack_);
  }
  return *this;
}

StackLocks::Guard::~Guard() { release(); }

void StackLocks::Guard::release() {
  if (auto* locks = std::exchange(locks_, nullptr)) locks->release(stack_);
}

StackLocks::StackLocks(asio::any_io_executor executor) : executor_(std::move(executor)) {}
StackLocks::~StackLocks() = default;

bool StackLocks::busy(const std::string& stack) const {
  const auto it = slots_.find(stack);
  return it != slots_.end() && it->second->held;
}

asio::awaitable<core::Expected<StackLocks::Guard>> StackLocks::acquire(std::string stack, core::Deadline deadline) {
  auto& slot = slots_[stack];
  if (!slot) slot = std::make_shared<Slot>();
  auto keep = slot;
  if (!keep->held) {
    keep->held = true;
    co_return Guard(this, stack);
  }
  auto waiter = std::make_shared<Waiter>(executor_);
  waiter->timer.expires_at(deadline);
  keep->waiters.push_back(waiter);
  boost::system::error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (waiter->granted) co_return Guard(this, stack);
  std::erase(keep->waiters, waiter);
  if (ec == asio::error::operation_aborted) {
    co_return core::make_error(core::ErrorKind::cancelled, "cancelled while waiting for another upgrade of " + stack,
                               "saga", "wait for the stack");
  }
  co_return core::make_error(core::ErrorKind::timeout,
                             "another upgrade of " + stack + " still ran when the deadline came", "saga",
                             "wait for the stack");
}

void StackLocks::release(const std::string& stack) {
  const auto it = slots_.find(stack);
  if (it == slots_.end()) return;
  auto& slot = *it->second;
  if (slot.waiters.empty()) {
    slot.held = false;
    return;
  }
  auto next = slot.waiters.front();
  slot.waiters.pop_front();
  next->granted = true;
  next->timer.cancel();
}

}  // namespace ua::saga
