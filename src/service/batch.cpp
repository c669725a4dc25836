#include "upgrade_agent/service/batch.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>

namespace ua::service {

namespace asio = boost::asio;

namespace {

// What the workers share. Everything runs on the one event-loop thread, so
// plain counters are enough.
struct BatchState {
  BatchState(saga::Ports p, saga::Context c, std::vector<saga::Job> j, saga::Observer& o,
             const asio::any_io_executor& ex)
      : ports(p), context(c), jobs(std::move(j)), observer(o), results(jobs.size()), all_done(ex) {}

  saga::Ports ports;
  saga::Context context;
  std::vector<saga::Job> jobs;
  saga::Observer& observer;
  std::vector<std::optional<saga::Result>> results;
  std::size_t next = 0;     // the next job to start
  std::size_t working = 0;  // workers not finished yet
  asio::cancellation_type stop = asio::cancellation_type::none;
  std::vector<std::unique_ptr<asio::cancellation_signal>> signals;  // one per worker
  asio::steady_timer all_done;  // cancelled by the last worker to finish
  std::exception_ptr failure;
};

saga::Result not_started(const saga::Job& job) {
  saga::Result r;
  r.outcome = saga::Outcome::cancelled;
  r.to = job.target_tag;
  r.reason = "not started: the batch was stopped";
  return r;
}

// One slot of the concurrency limit: takes the next request until none is left.
asio::awaitable<void> work(std::shared_ptr<BatchState> s) {
  while (s->next < s->jobs.size()) {
    const std::size_t i = s->next++;
    if (s->stop != asio::cancellation_type::none) {
      s->results[i] = not_started(s->jobs[i]);
      continue;
    }
    saga::Job job = s->jobs[i];
    saga::Context context = s->context;
    auto result = co_await saga::run_upgrade(s->ports, context, std::move(job), s->observer);
    s->results[i] = std::move(result);
  }
}

}  // namespace

saga::Job to_job(const request::UpgradeRequest& request, std::string id) {
  saga::Job job;
  job.id = std::move(id);
  job.image = request.image;
  job.image.tag.reset();
  job.image.digest.reset();
  job.target_tag = request.tag;
  job.hub_link = request.hub_link;
  return job;
}

asio::awaitable<std::vector<saga::Result>> run_batch(saga::Ports ports, saga::Context context,
                                                     std::vector<request::UpgradeRequest> requests,
                                                     saga::Observer& observer, BatchOptions options) {
  // An entry coroutine: it owns the policy, and lets a total cancellation in
  // (the first SIGINT), which it hands to every running saga.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto executor = co_await asio::this_coro::executor;

  std::vector<saga::Job> jobs;
  jobs.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    jobs.push_back(to_job(requests[i], options.id_prefix + "-" + std::to_string(i + 1)));
  }
  const std::size_t workers = std::min<std::size_t>(std::max(1U, options.max_concurrency), jobs.size());
  auto s = std::make_shared<BatchState>(ports, context, std::move(jobs), observer, executor);
  for (std::size_t w = 0; w < workers; ++w) s->signals.push_back(std::make_unique<asio::cancellation_signal>());

  // The caller's cancellation goes to every worker; none starts a saga after it.
  auto state = co_await asio::this_coro::cancellation_state;
  auto slot = state.slot();
  if (slot.is_connected()) {
    slot.assign([s](asio::cancellation_type type) {
      s->stop |= type;
      for (auto& signal : s->signals) signal->emit(type);
    });
  }

  s->working = workers;
  s->all_done.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t w = 0; w < workers; ++w) {
    auto finished = [s](const std::exception_ptr& e) {
      if (e && !s->failure) s->failure = e;
      if (--s->working == 0) s->all_done.cancel();
    };
    asio::co_spawn(executor, work(s), asio::bind_cancellation_slot(s->signals[w]->slot(), std::move(finished)));
  }
  // Not cancellable itself: cancellation reaches the sagas, and this wait
  // ends when the last of them has returned.
  while (s->working > 0) {
    boost::system::error_code ec;
    co_await s->all_done.async_wait(
        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::redirect_error(asio::use_awaitable, ec)));
  }
  if (slot.is_connected()) slot.clear();
  if (s->failure) std::rethrow_exception(s->failure);

  std::vector<saga::Result> out;
  out.reserve(s->results.size());
  for (std::size_t i = 0; i < s->results.size(); ++i) {
    out.push_back(s->results[i] ? std::move(*s->results[i]) : not_started(s->jobs[i]));
  }
  co_return out;
}

bool ended_well(saga::Outcome outcome) noexcept {
  return outcome == saga::Outcome::upgraded || outcome == saga::Outcome::already_current ||
         outcome == saga::Outcome::refused;
}

int batch_exit_code(const std::vector<saga::Result>& results, std::size_t bad_lines) noexcept {
  const bool all_well =
      std::all_of(results.begin(), results.end(), [](const saga::Result& r) { return ended_well(r.outcome); });
  return bad_lines == 0 && all_well ? 0 : 1;
}

std::string outcome_table(const std::vector<request::BatchEntry>& entries, const std::vector<saga::Result>& results) {
  constexpr std::size_t kMaxReason = 120;
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"LINE", "IMAGE", "TAG", "STACK", "OUTCOME", "REASON"});
  for (std::size_t i = 0; i < entries.size() && i < results.size(); ++i) {
    const auto& r = results[i];
    std::string reason = r.reason.substr(0, r.reason.find('\n'));
    if (reason.size() > kMaxReason) reason = reason.substr(0, kMaxReason - 3) + "...";
    // A saga that ended before locating its stack has none to show; "-" says
    // so (the image is in its own column already).
    rows.push_back({std::to_string(entries[i].line), entries[i].request.image.familiar_name(), entries[i].request.tag,
                    r.stack.empty() ? std::string("-") : r.stack, std::string(saga::to_string(r.outcome)), reason});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace ua::service
