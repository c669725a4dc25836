#include "upgrade_agent/store/async_journal.hpp"

namespace ua::store {

namespace asio = boost::asio;

AsyncJournal::AsyncJournal(Journal journal, runtime::BlockingPool& pool)
    : journal_(std::make_unique<Journal>(std::move(journal))),
      queue_(std::make_unique<runtime::SerialQueue>(pool)) {}

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
