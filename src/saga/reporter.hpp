#pragma once
// Fills in what every event of one saga shares (job, stack, time left) so the
// steps only say what happened.
#include <string>
#include <utility>

#include "saga/budget.hpp"
#include "upgrade_agent/saga/events.hpp"

namespace ua::saga {

class Reporter {
 public:
  Reporter(Observer& observer, std::string job, const Budget& budget)
      : observer_(observer), job_(std::move(job)), budget_(budget) {}

  void set_stack(std::string stack) { stack_ = std::move(stack); }
  [[nodiscard]] const std::string& stack() const { return stack_; }

  void emit(EventKind kind, Step step, std::string detail = {}, std::string sha = {}) {
    Event e;
    e.kind = kind;
    e.step = step;
    e.detail = std::move(detail);
    e.sha = std::move(sha);
    send(std::move(e));
  }
  void started(Step step, std::string detail = {}) { emit(EventKind::started, step, std::move(detail)); }
  void progress(Step step, std::string detail) { emit(EventKind::progress, step, std::move(detail)); }
  void finished(Step step, std::string detail = {}, std::vector<std::string> evidence = {}) {
    Event e;
    e.kind = EventKind::finished;
    e.step = step;
    e.detail = std::move(detail);
    e.evidence = std::move(evidence);
    send(std::move(e));
  }
  void failed(Step step, core::Error error, std::vector<std::string> evidence = {}) {
    Event e;
    e.kind = EventKind::failed;
    e.step = step;
    e.detail = error.describe();
    e.error = std::move(error);
    e.evidence = std::move(evidence);
    send(std::move(e));
  }
  boost::asio::awaitable<core::Expected<void>> checkpoint() { return observer_.checkpoint(); }
  void send(Event e) {
    e.job = job_;
    e.stack = stack_;
    e.at = core::Clock::now();
    e.time_left = budget_.left();
    observer_.on_event(e);
  }

 private:
  Observer& observer_;
  std::string job_;
  std::string stack_;
  const Budget& budget_;
};

}  // namespace ua::saga
