#include "upgrade_agent/store/journal_observer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <vector>

namespace ua::store {

namespace asio = boost::asio;

// Lives on the event loop's thread only: no lock.
struct JournalObserver::State {
  AsyncJournal* journal = nullptr;
  RequestId id = 0;
  asio::any_io_executor executor;
  Now now;
  std::vector<Checkpoint> pending;
  bool writing = false;
  std::size_t received = 0;
  std::size_t settled = 0;  // committed, or given up after a failure
  std::size_t committed = 0;
  std::optional<core::Error> failure;
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;

  void wake() {
    for (auto& w : waiters) w->cancel();
    waiters.clear();
  }
};

namespace {

asio::awaitable<void> write_all(std::shared_ptr<JournalObserver::State> s) {
  while (!s->pending.empty()) {
    std::vector<Checkpoint> batch = std::move(s->pending);
    s->pending.clear();
    const std::size_t n = batch.size();
    if (!s->failure) {
      // Nothing may escape a detached coroutine: a throw here would leave
      // `writing` set and every later flushed() waiting forever.
      try {
        auto written = co_await s->journal->append(s->id, std::move(batch));
        if (written) {
          s->committed += n;
        } else {
          s->failure = written.error();
        }
      } catch (const std::exception& e) {
        s->failure = core::make_error(core::ErrorKind::internal, e.what(), "journal",
                                      "checkpoint request " + std::to_string(s->id));
      }
    }
    s->settled += n;
    s->wake();
  }
  s->writing = false;
}

}  // namespace

JournalObserver::JournalObserver(AsyncJournal& journal, RequestId id, asio::any_io_executor executor, Now now)
    : state_(std::make_shared<State>()) {
  state_->journal = &journal;
  state_->id = id;
  state_->executor = std::move(executor);
  state_->now = std::move(now);
}

JournalObserver::~JournalObserver() = default;

void JournalObserver::on_event(const saga::Event& event) {
  auto& s = *state_;
  s.pending.push_back(checkpoint_of(event, s.now()));
  ++s.received;
  if (s.writing) return;
  s.writing = true;
  asio::co_spawn(s.executor, write_all(state_), asio::detached);
}

asio::awaitable<core::Expected<void>> JournalObserver::flushed() {
  auto s = state_;
  const std::size_t target = s->received;
  core::Expected<void> result;
  while (s->settled < target) {
    auto timer = std::make_shared<asio::steady_timer>(s->executor, asio::steady_timer::time_point::max());
    s->waiters.push_back(timer);
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      result = core::make_error(core::ErrorKind::cancelled, "cancelled while waiting for the journal",
                                "journal", "checkpoint request " + std::to_string(s->id));
      break;
    }
  }
  if (result && s->failure) result = *s->failure;
  co_return result;
}

std::size_t JournalObserver::received() const {
  return state_->received;
}
std::size_t JournalObserver::committed() const {
  return state_->committed;
}

}  // namespace ua::store
