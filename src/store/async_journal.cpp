#include "upgrade_agent/store/async_journal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

namespace ua::store {

namespace asio = boost::asio;

// The admits waiting for the next group transaction, and whether one is being written.
struct AsyncJournal::Group {
  struct Waiter {
    Waiter(const asio::any_io_executor& ex, Journal::Admit a)
        : wake(ex, asio::steady_timer::time_point::max()), admit(std::move(a)) {}
    asio::steady_timer wake;  // cancelled once `result` is set
    Journal::Admit admit;
    std::optional<core::Expected<Admission>> result;
  };
  std::vector<std::shared_ptr<Waiter>> pending;
  bool flushing = false;
  GroupStats stats;
};

namespace {
// One transaction stays short even under a flood: its callers wait for it whole.
constexpr std::size_t kMaxGroup = 512;
}  // namespace

AsyncJournal::AsyncJournal(Journal journal, runtime::BlockingPool& pool)
    : journal_(std::make_unique<Journal>(std::move(journal))),
      queue_(std::make_unique<runtime::SerialQueue>(pool)),
      group_(std::make_unique<Group>()) {}

AsyncJournal::~AsyncJournal() = default;

asio::awaitable<core::Expected<std::unique_ptr<AsyncJournal>>> AsyncJournal::open(
    std::filesystem::path file, Journal::Options options, runtime::BlockingPool& pool) {
  auto opening = [file = std::move(file), options] { return Journal::open(file, options); };
  auto opened = co_await runtime::offload(pool, std::move(opening));
  if (!opened) co_return opened.error();
  co_return std::make_unique<AsyncJournal>(std::move(*opened), pool);
}

// Each wrapper builds its callable as a named local first (g++ 12: no
// capturing lambda inside a co_await expression).
asio::awaitable<core::Expected<Admission>> AsyncJournal::admit(NewRequest request, TimePoint now) {
  auto work = [request = std::move(request), now](Journal& j) { return j.admit(request, now); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<Admission>> AsyncJournal::admit_grouped(NewRequest request, TimePoint now) {
  auto ex = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<Group::Waiter>(ex, Journal::Admit{std::move(request), now});
  group_->pending.push_back(waiter);
  if (!group_->flushing) {
    group_->flushing = true;
    // A chain of its own: the writer must not stop with the caller that started it.
    asio::co_spawn(ex, flush_group(), asio::detached);
  }
  // An empty slot: the caller's cancellation does not end the wait early (the
  // request is written regardless, and its answer is what the caller needs).
  auto token = asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable));
  while (!waiter->result) {
    auto [ec] = co_await waiter->wake.async_wait(token);
    (void)ec;
  }
  core::Expected<Admission> result = std::move(*waiter->result);
  co_return result;
}

asio::awaitable<void> AsyncJournal::flush_group() {
  co_await asio::this_coro::throw_if_cancelled(false);
  auto& g = *group_;
  while (!g.pending.empty()) {
    std::vector<std::shared_ptr<Group::Waiter>> batch;
    const std::size_t n = std::min(g.pending.size(), kMaxGroup);
    batch.assign(g.pending.begin(), g.pending.begin() + static_cast<std::ptrdiff_t>(n));
    g.pending.erase(g.pending.begin(), g.pending.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<Journal::Admit> admits;
    admits.reserve(n);
    for (const auto& w : batch) admits.push_back(w->admit);
    std::vector<core::Expected<Admission>> results;
    try {
      auto work = [admits = std::move(admits)](Journal& j) { return j.admit_many(admits); };
      results = co_await with(std::move(work));
    } catch (const std::exception& e) {
      results.clear();
      const auto error = core::make_error(core::ErrorKind::internal, std::string("admitting failed: ") + e.what(),
                                          "journal", "admit");
      results.assign(n, error);
    }
    ++g.stats.transactions;
    g.stats.admits += n;
    for (std::size_t i = 0; i < n; ++i) {
      batch[i]->result.emplace(i < results.size() ? std::move(results[i])
                                                  : core::Expected<Admission>(core::make_error(
                                                        core::ErrorKind::internal, "no answer for an admit",
                                                        "journal", "admit")));
      batch[i]->wake.cancel();
    }
  }
  g.flushing = false;
}

AsyncJournal::GroupStats AsyncJournal::group_stats() const { return group_->stats; }

asio::awaitable<core::Expected<Start>> AsyncJournal::begin(RequestId id, config::RateLimit limit,
                                                           TimePoint now) {
  auto work = [id, limit, now](Journal& j) { return j.begin(id, limit, now); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<void>> AsyncJournal::finish(RequestId id, std::string outcome,
                                                           std::string reason, TimePoint now) {
  auto work = [id, outcome = std::move(outcome), reason = std::move(reason), now](Journal& j) {
    return j.finish(id, outcome, reason, now);
  };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<void>> AsyncJournal::append(RequestId id,
                                                           std::vector<Checkpoint> checkpoints) {
  auto work = [id, checkpoints = std::move(checkpoints)](Journal& j) { return j.append(id, checkpoints); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<std::vector<Unfinished>>> AsyncJournal::unfinished() {
  auto work = [](Journal& j) { return j.unfinished(); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<Hold>> AsyncJournal::hold(Hold hold) {
  auto work = [hold = std::move(hold)](Journal& j) { return j.hold(hold); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<Hold>> AsyncJournal::release(Target target, TimePoint now) {
  auto work = [target = std::move(target), now](Journal& j) { return j.release(target, now); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<std::vector<Hold>>> AsyncJournal::holds() {
  auto work = [](Journal& j) { return j.holds(); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<std::vector<RequestRecord>>> AsyncJournal::list(std::size_t limit) {
  auto work = [limit](Journal& j) { return j.list(limit); };
  auto result = co_await with(std::move(work));
  co_return result;
}

asio::awaitable<core::Expected<Upgrade>> AsyncJournal::find(RequestId id) {
  auto work = [id](Journal& j) { return j.find(id); };
  auto result = co_await with(std::move(work));
  co_return result;
}

}  // namespace ua::store
