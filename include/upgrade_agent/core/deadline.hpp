#pragma once
// One clock for every deadline in the agent: steady, so a wall-clock jump can
// neither cut a wait short nor stretch it past the ceiling.
#include <chrono>

namespace ua::core {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// What is left of a deadline, never negative.
inline Clock::duration time_left(Deadline deadline, Clock::time_point now = Clock::now()) {
  return deadline > now ? deadline - now : Clock::duration::zero();
}

// The earlier of a deadline and now + timeout: "min(own timeout, time left)".
inline Deadline within(Deadline deadline, Clock::duration timeout, Clock::time_point now = Clock::now()) {
  const Deadline own = now + timeout;
  return own < deadline ? own : deadline;
}

}  // namespace ua::core
