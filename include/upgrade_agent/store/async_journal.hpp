#pragma once
// The journal for coroutines: each call runs on the blocking pool, one at a
// time and in the order they were made (a SerialQueue owns the connection),
// so the event loop never waits for SQLite or an fsync. When the awaited call
// returns, its transaction is on disk.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>

#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/store/journal.hpp"

namespace ua::store {

class AsyncJournal {
 public:
  AsyncJournal(Journal journal, runtime::BlockingPool& pool);
  ~AsyncJournal();
  AsyncJournal(const AsyncJournal&) = delete;
  AsyncJournal& operator=(const AsyncJournal&) = delete;

  // Opens on the pool (the quick check and migrations read the whole file).
  static boost::asio::awaitable<core::Expected<std::unique_ptr<AsyncJournal>>> open(
      std::filesystem::path file, Journal::Options options, runtime::BlockingPool& pool);

  // Runs `work` with the journal, on the pool, after every call made before it.
  template <class F>
  auto with(F work) -> boost::asio::awaitable<std::invoke_result_t<F&, Journal&>> {
    Journal* journal = journal_.get();
    auto call = [journal, work = std::move(work)]() mutable { return work(*journal); };
    return runtime::offload(*queue_, std::move(call));
  }

  boost::asio::awaitable<core::Expected<Admission>> admit(NewRequest request, TimePoint now);
  // admit() by group commit: admits made while a transaction is being written
  // wait and go together into the next one (Journal::admit_many), so many
  // webhooks share one fsync. Each caller resumes only after the transaction
  // holding its request committed. No added delay when calls come one by one.
  // Every caller must run on the same executor (the event loop). It does not
  // stop when cancelled: a request handed over is written and answered.
  boost::asio::awaitable<core::Expected<Admission>> admit_grouped(NewRequest request, TimePoint now);
  // How many transactions admit_grouped wrote, and for how many admits (tests, the bench).
  struct GroupStats {
    std::size_t transactions = 0;
    std::size_t admits = 0;
  };
  [[nodiscard]] GroupStats group_stats() const;
  boost::asio::awaitable<core::Expected<Start>> begin(RequestId id, config::RateLimit limit, TimePoint now);
  boost::asio::awaitable<core::Expected<void>> finish(RequestId id, std::string outcome, std::string reason,
                                                      TimePoint now);
  boost::asio::awaitable<core::Expected<void>> append(RequestId id, std::vector<Checkpoint> checkpoints);
  boost::asio::awaitable<core::Expected<std::vector<Unfinished>>> unfinished();
  boost::asio::awaitable<core::Expected<Hold>> hold(Hold hold);
  boost::asio::awaitable<core::Expected<Hold>> release(Target target, TimePoint now);
  boost::asio::awaitable<core::Expected<std::vector<Hold>>> holds();
  boost::asio::awaitable<core::Expected<std::vector<RequestRecord>>> list(std::size_t limit);
  boost::asio::awaitable<core::Expected<Upgrade>> find(RequestId id);

 private:
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<runtime::SerialQueue> queue_;
  struct Group;
  std::unique_ptr<Group> group_;

  boost::asio::awaitable<void> flush_group();
};

}  // namespace ua::store
