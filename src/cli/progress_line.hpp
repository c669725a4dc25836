#pragma once
// `run` on a terminal: one live line on stderr (stack, step, what it waits
// for, elapsed, time left before the ceiling), redrawn every second while a
// step waits, with the lasting events (a step's end, a push, a report) printed
// above it. Not on a terminal, the plain log observer is used instead.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <ostream>
#include <string>

#include "upgrade_agent/saga/events.hpp"

namespace ua::cli {

class ProgressLine final : public saga::Observer {
 public:
  ProgressLine(boost::asio::io_context& io, std::ostream& out);
  ~ProgressLine() override;
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void on_event(const saga::Event& event) override;
  // Stops the redraw timer and ends the line (call before printing the outcome).
  void finish();

  // The line as drawn `now`, for tests: "[stack] step: detail  12s elapsed, 29m48s left".
  [[nodiscard]] std::string render(core::Clock::time_point now) const;

 private:
  void tick();
  void draw();

  boost::asio::steady_timer timer_;
  std::ostream& out_;
  core::Clock::time_point started_ = core::Clock::now();
  core::Clock::time_point ceiling_at_{};
  std::string stack_;
  std::string step_;
  std::string detail_;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace ua::cli
