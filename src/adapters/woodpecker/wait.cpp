// The wait of step 9: find the pipeline, then poll the configured workflow's
// state every poll interval. The sleep between polls is a timer, so the
// caller's cancellation and the deadline end the wait at once.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"
#include "upgrade_agent/net/own_policy.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::woodpecker {

namespace asio = boost::asio;
using core::ErrorKind;

namespace {

struct Decision {
  enum class Kind { done, waiting, missing } kind = Kind::waiting;
  ports::CiState state = ports::CiState::failure;
  std::string state_text;
  std::string line;  // progress, or the reason when missing
};

std::string took(const Times& t) {
  if (t.started <= 0 || t.finished < t.started) return {};
  return ", took " + net::describe(std::chrono::seconds(t.finished - t.started));
}

std::string when(const Workflow& w, const Pipeline& p) {
  const std::int64_t started = w.times.started > 0 ? w.times.started : p.times.started;
  const std::int64_t finished = w.times.finished > 0 ? w.times.finished : p.times.finished;
  if (finished > 0) return "started " + format_time(started) + ", finished " + format_time(finished) + took({0, started, finished});
  if (started > 0) return "started " + format_time(started);
  return "created " + format_time(p.times.created);
}

// The others that failed, so a pipeline whose status says failure while the
// configured workflow succeeded explains itself.
std::string others(const Pipeline& p, const std::string& workflow) {
  std::string out;
  for (const auto& w : p.workflows) {
    if (w.name == workflow || classify(w.state) != StateClass::failed) continue;
    out += (out.empty() ? "" : ", ") + w.name + " " + w.state;
  }
  return out.empty() ? std::string() : "; pipeline status " + p.status + " from " + out + ", not used";
}

std::string names(const Pipeline& p) {
  std::string out;
  for (const auto& w : p.workflows) {
    if (out.find("'" + w.name + "'") != std::string::npos) continue;
    out += (out.empty() ? "'" : ", '") + w.name + "'";
  }
  return out;
}

// Several workflows share a name when one file has a matrix: all of them
// must end, and one that failed fails the lot.
Decision decide(const Pipeline& p, const std::string& workflow, std::vector<std::string>& unknown) {
  const std::string head = "pipeline " + std::to_string(p.number) + ": ";
  Decision d;
  const Workflow* waiting = nullptr;
  const Workflow* failed = nullptr;
  const Workflow* succeeded = nullptr;
  const Workflow* skipped = nullptr;
  for (const auto& w : p.workflows) {
    if (w.name != workflow) continue;
    switch (classify(w.state)) {
      case StateClass::unknown:
        unknown.push_back(w.state);
        [[fallthrough]];
      case StateClass::waiting:
        if (waiting == nullptr) waiting = &w;
        break;
      case StateClass::failed:
        if (failed == nullptr) failed = &w;
        break;
      case StateClass::success:
        if (succeeded == nullptr) succeeded = &w;
        break;
      case StateClass::skipped:
        if (skipped == nullptr) skipped = &w;
        break;
    }
  }
  if (waiting != nullptr) {
    d.line = head + workflow + " " + waiting->state + " (" + when(*waiting, p) + ")";
    return d;
  }
  const Workflow* decisive = failed != nullptr ? failed : succeeded != nullptr ? succeeded : skipped;
  if (decisive != nullptr) {
    d.kind = Decision::Kind::done;
    d.state = failed != nullptr ? ports::CiState::failure
              : succeeded != nullptr ? ports::CiState::success
                                     : ports::CiState::skipped;
    d.state_text = decisive->state;
    d.line = head + workflow + " " + decisive->state + " (" + when(*decisive, p) + ")" +
             (decisive->error.empty() ? "" : ": " + decisive->error) + others(p, workflow);
    return d;
  }
  if (!p.workflows.empty()) {
    d.kind = Decision::Kind::missing;
    d.line = head + "no workflow '" + workflow + "' (WOODPECKER_WORKFLOW); it has " + names(p);
    return d;
  }
  // No workflow at all: the pipeline is still being set up, or it failed
  // before any could run (a broken config). Only then is its own status read.
  switch (classify(p.status)) {
    case StateClass::failed: {
      d.kind = Decision::Kind::done;
      d.state_text = p.status;
      std::string why;
      for (const auto& e : p.errors) why += (why.empty() ? ": " : "; ") + e;
      d.line = head + p.status + " before any workflow ran" + why;
      return d;
    }
    case StateClass::unknown:
      unknown.push_back(p.status);
      [[fallthrough]];
    case StateClass::waiting:
      d.line = head + "no workflows yet (" + p.status + ", created " + format_time(p.times.created) + ")";
      return d;
    case StateClass::success:
    case StateClass::skipped:
      break;
  }
  d.kind = Decision::Kind::missing;
  d.line = head + p.status + " without any workflow, so none is named '" + workflow + "'";
  return d;
}

bool hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

}  // namespace

asio::awaitable<core::Expected<ports::CiOutcome>> Client::wait_for_commit(std::string commit, core::Deadline deadline,
                                                                          ports::CiProgress progress) {
  try {
    auto waiting = wait(std::move(commit), deadline, std::move(progress));
    auto outcome = co_await net::without_throwing(std::move(waiting));
    co_return outcome;
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      co_return core::make_error(ErrorKind::cancelled, "the CI wait was cancelled", "woodpecker", "wait for CI");
    }
    co_return core::make_error(ErrorKind::internal, scrub(e.what()), "woodpecker", "wait for CI");
  } catch (const std::exception& e) {
    co_return core::make_error(ErrorKind::internal, scrub(e.what()), "woodpecker", "wait for CI");
  }
}

asio::awaitable<core::Expected<ports::CiOutcome>> Client::wait(std::string commit, core::Deadline deadline,
                                                               ports::CiProgress progress) {
  const std::string operation = "wait for CI";
  const auto bad = [&](std::string message) { return core::make_error(ErrorKind::bad_input, std::move(message), "woodpecker", operation); };
  if (options_.url.empty()) co_return bad("WOODPECKER_URL is not set");
  if (auto url = net::parse_url(options_.url); !url) co_return bad("WOODPECKER_URL: " + url.error().message);
  if (options_.workflow.empty()) co_return bad("WOODPECKER_WORKFLOW is empty");
  if (auto ref = parse_repo_ref(options_.repo); !ref) co_return std::move(ref).error();
  if (commit.size() < 7 || commit.size() > 64 || !hex(commit)) {
    co_return bad("'" + commit.substr(0, 80) + "' is not a commit id (7 to 64 hex digits)");
  }
  std::transform(commit.begin(), commit.end(), commit.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string short_sha = commit.substr(0, 7);
  const std::string repo_name = parse_repo_ref(options_.repo)->describe();

  const auto began = core::Clock::now();
  const auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  const std::int64_t cutoff = (wall - options_.lookback).count();
  std::optional<std::int64_t> number;
  std::int64_t newest_seen = 0;
  std::string last_line;
  std::string awaited = "the pipeline of commit " + short_sha + " in " + repo_name + " to appear";
  std::optional<core::Error> last_problem;
  unsigned failed_polls = 0;
  const auto report = [&](const std::string& line) {
    if (line == last_line) return;
    last_line = line;
    spdlog::debug("woodpecker: {}", line);
    if (progress) progress(line);
  };
  const auto timed_out = [&] {
    std::string message = "still waiting for " + awaited + " after " +
                          net::describe(std::chrono::duration_cast<net::Duration>(core::Clock::now() - began)) +
                          " (UPGRADE_AGENT_CI_TIMEOUT)";
    if (last_problem) message += "; the last poll failed: " + last_problem->message;
    return core::make_error(ErrorKind::timeout, message, "woodpecker", operation);
  };
  if (core::Clock::now() >= deadline) co_return timed_out();

  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    const auto poll_start = core::Clock::now();
    std::optional<Failure> problem;
    auto id = co_await lookup(deadline);
    if (!id) {
      problem = std::move(id).error();
    } else if (!number) {
      auto found = co_await search(*id, commit, newest_seen, cutoff, deadline);
      if (!found) {
        problem = std::move(found).error();
      } else if (found->found) {
        number = found->found->number;
        const auto& f = *found->found;
        awaited = "pipeline " + std::to_string(f.number) + " to start";
        report("pipeline " + std::to_string(f.number) + " is commit " + short_sha + " (" +
               (f.event.empty() ? std::string("push") : f.event) + ", created " + format_time(f.times.created) + ")");
      } else {
        newest_seen = found->newest;
        report("no pipeline for commit " + short_sha + " in " + repo_name + " yet");
      }
    }
    if (!problem && number) {
      auto pipeline = co_await fetch_pipeline(*id, *number, deadline);
      if (!pipeline) {
        problem = std::move(pipeline).error();
      } else {
        std::vector<std::string> unknown;
        auto d = decide(*pipeline, options_.workflow, unknown);
        for (const auto& u : unknown) note_unknown(u);
        if (d.kind == Decision::Kind::missing) {
          co_return core::make_error(ErrorKind::not_found, d.line, "woodpecker", operation);
        }
        report(d.line);
        if (d.kind == Decision::Kind::done) {
          ports::CiOutcome out;
          out.state = d.state;
          out.state_text = d.state_text;
          out.pipeline = pipeline->number;
          out.workflow = options_.workflow;
          out.url = options_.url + "/repos/" + std::to_string(*id) + "/pipeline/" + std::to_string(pipeline->number);
          co_return out;
        }
        awaited = "workflow " + options_.workflow + " of pipeline " + std::to_string(*number) + " to finish (last seen: " +
                  d.line.substr(d.line.find(": ") + 2) + ")";
      }
    }
    if (problem) {
      auto& e = problem->error;
      if (e.kind == ErrorKind::cancelled) co_return std::move(e);
      if (e.kind == ErrorKind::timeout) {
        last_problem = e;
        co_return timed_out();
      }
      if (!problem->transient) co_return std::move(e);
      ++failed_polls;
      spdlog::warn("{} (poll {} of at most {} failing in a row)", e.describe(), failed_polls,
                   options_.max_failed_polls);
      if (failed_polls >= options_.max_failed_polls) {
        e.message += " (" + std::to_string(failed_polls) + " polls in a row failed)";
        co_return std::move(e);
      }
      last_problem = std::move(e);
    } else {
      failed_polls = 0;
      last_problem.reset();
    }

    const auto next = poll_start + options_.poll_interval;
    const bool last = next >= deadline;
    timer.expires_at(last ? deadline : next);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return core::make_error(ErrorKind::cancelled, "cancelled while waiting for " + awaited, "woodpecker", operation);
    }
    if (last) co_return timed_out();
  }
}

}  // namespace ua::adapters::woodpecker
