#pragma once
// What a saga tells the world while it runs. One observer receives every
// event: the log, the progress line and the daemon's journal are observers.
// "about to push" comes before a push and "pushed" with the SHA after it, so
// a journal can make a push exactly-once across a crash.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/error.hpp"
#include "upgrade_agent/core/expected.hpp"

namespace ua::saga {

// The seed's steps, in the order a saga takes them.
enum class Step { locate, decide, report_starting, backup, publish, wait_for_ci, verify, roll_back, report };
std::string_view to_string(Step step) noexcept;

enum class EventKind {
  started,        // a step began
  progress,       // something worth a line while a step waits
  finished,       // a step ended well
  failed,         // a step ended badly (error set)
  about_to_push,  // a commit (or revert) is about to be pushed: detail holds its subject
  pushed,         // the remote took it: sha set
  report_sent,    // a Slack report was delivered: detail holds its first line
  report_failed,  // a report could not be delivered (error set); the saga goes on
  about_to_report,  // the final report is about to be posted: detail holds its whole text, outcome what it tells
};
std::string_view to_string(EventKind kind) noexcept;

struct Event {
  EventKind kind = EventKind::progress;
  Step step = Step::locate;
  std::string job;     // the request's id
  std::string stack;   // empty until located
  std::string detail;  // for people
  std::string sha;     // pushed / about-to-push revert target
  std::vector<std::string> evidence;
  core::Error error;   // failed / report_failed
  std::string outcome;  // about_to_report: saga::to_string(Outcome) of the saga's end
  core::Clock::time_point at = core::Clock::now();
  core::Clock::duration time_left{};  // before the ceiling
};

class Observer {
 public:
  virtual ~Observer() = default;
  // Called on the event loop; must not block.
  virtual void on_event(const Event& event) = 0;
  // Everything observed so far is durable (a journal on disk). The saga
  // awaits it after "about to push", before the push, so that a push is
  // exactly-once across a crash: an error there aborts the stop and nothing
  // is pushed. Observers that keep nothing answer at once.
  virtual boost::asio::awaitable<core::Expected<void>> checkpoint();
};

// Sends each event to several observers, in order.
class ObserverList final : public Observer {
 public:
  void add(Observer& observer) { observers_.push_back(&observer); }
  void on_event(const Event& event) override {
    for (auto* o : observers_) o->on_event(event);
  }
  // Each observer's in turn; the first failure is the answer.
  boost::asio::awaitable<core::Expected<void>> checkpoint() override;

 private:
  std::vector<Observer*> observers_;
};

}  // namespace ua::saga
