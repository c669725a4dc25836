#pragma once
// One saga per stack at a time: requests for one stack queue in arrival order,
// different stacks run at once. Waiting honours the caller's deadline and
// cancellation. Belongs to one event-loop thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <string>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::saga {

class StackLocks {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard();
    void release();

   private:
    friend class StackLocks;
    Guard(StackLocks* locks, std::string stack) : locks_(locks), stack_(std::move(stack)) {}
    StackLocks* locks_ = nullptr;
    std::string stack_;
  };

  explicit StackLocks(boost::asio::any_io_executor executor);
  ~StackLocks();
  StackLocks(const StackLocks&) = delete;
  StackLocks& operator=(const StackLocks&) = delete;

  // Errors: timeout (the deadline passed while another saga held the stack), cancelled.
  boost::asio::awaitable<core::Expected<Guard>> acquire(std::string stack, core::Deadline deadline);
  [[nodiscard]] bool busy(const std::string& stack) const;

  struct Slot;

 private:
  void release(const std::string& stack);
  boost::asio::any_io_executor executor_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace ua::saga
