#pragma once
// The saga's clock: the ceiling counts from the saga's start, and every wait
// is cut so that a rollback push and the final report still fit after it.
#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/saga/saga.hpp"

namespace ua::saga {

class Budget {
 public:
  Budget(core::Clock::time_point start, const Timing& timing)
      : ceiling_(start + timing.ceiling),
        rollback_(ceiling_ - timing.report_reserve),
        waits_(rollback_ - timing.push_reserve) {}

  // The hard end: the final report's own deadline.
  [[nodiscard]] core::Deadline ceiling() const { return ceiling_; }
  // What a rollback (revert, push, CI, short verification) may use.
  [[nodiscard]] core::Deadline rollback() const { return rollback_; }
  // What the forward path may use: min(now + own, ceiling - reserve).
  [[nodiscard]] core::Deadline wait(core::Clock::duration own) const { return core::within(waits_, own); }
  [[nodiscard]] core::Deadline forward() const { return waits_; }
  [[nodiscard]] core::Clock::duration left() const { return core::time_left(ceiling_); }
  // No time left for the forward path at all.
  [[nodiscard]] bool exhausted() const { return core::Clock::now() >= waits_; }

 private:
  core::Deadline ceiling_;
  core::Deadline rollback_;
  core::Deadline waits_;
};

}  // namespace ua::saga
