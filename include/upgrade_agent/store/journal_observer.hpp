#pragma once
// Journals a saga's events as checkpoints of its request.
//
// The saga calls observers synchronously on the event loop, so on_event only
// queues the checkpoint; one writer coroutine commits what is queued, in order,
// through the AsyncJournal (several queued events become one transaction).
// That alone does not make a push exactly-once: the saga must not push before
// "about to push" is on disk, nor start the next step before "pushed <sha>"
// is. `flushed()` is that wait: it completes when every event received so far
// is committed, or with the first failure. After a failure nothing more is
// written (a journal with a gap would resume wrongly): the saga must stop
// before pushing.
//
// What the saga needs for this (not done here): an awaitable checkpoint on
// its observer, e.g. `virtual awaitable<Expected<void>> checkpoint()` with a
// ready default, awaited after `about_to_push` and after `pushed` (publish and
// roll_back) and before each step starts; a failed checkpoint before a push
// aborts the stop.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>

#include "upgrade_agent/saga/events.hpp"
#include "upgrade_agent/store/async_journal.hpp"

namespace ua::store {

class JournalObserver final : public saga::Observer {
 public:
  using Now = std::function<TimePoint()>;
  // `journal` must outlive the writes: await flushed() before destroying it.
  JournalObserver(
      AsyncJournal& journal, RequestId id, boost::asio::any_io_executor executor,
      Now now = [] { return std::chrono::system_clock::now(); });
  ~JournalObserver() override;
  JournalObserver(const JournalObserver&) = delete;
  JournalObserver& operator=(const JournalObserver&) = delete;

  void on_event(const saga::Event& event) override;

  // Every event received before this call is committed (or the first error).
  boost::asio::awaitable<core::Expected<void>> flushed();
  // The saga's checkpoint is this journal's flush.
  boost::asio::awaitable<core::Expected<void>> checkpoint() override { return flushed(); }

  [[nodiscard]] std::size_t received() const;
  [[nodiscard]] std::size_t committed() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ua::store
