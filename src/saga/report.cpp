// Steps 5 and 11: the seed's Slack messages. A report that cannot be posted
// never stops the upgrade and is never silent: it is in the result and goes
// to the observer (the log shows it at error level).
#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

asio::awaitable<void> report(ports::Notifier& notifier, std::string text, core::Deadline deadline, Reporter& reporter,
                             Result& result, Step step) {
  const std::string first_line = text.substr(0, text.find('\n'));
  if (step == Step::report) {
    // The journal keeps the final report's text and outcome: a process that
    // dies before it is delivered has its successor post exactly this.
    Event e;
    e.kind = EventKind::about_to_report;
    e.step = step;
    e.detail = text;
    e.outcome = std::string(to_string(result.outcome));
    reporter.send(std::move(e));
  }
  auto posting = notifier.post(text, deadline);
  auto posted = co_await std::move(posting);
  if (posted) {
    result.reports.push_back(std::move(text));
    reporter.emit(EventKind::report_sent, step, first_line);
    co_return;
  }
  Event e;
  e.kind = EventKind::report_failed;
  e.step = step;
  e.detail = first_line;
  e.error = posted.error();
  reporter.send(std::move(e));
  result.report_failures.push_back(posted.error());
}

namespace {
std::string head(const Result& r) { return "*" + r.stack + "* " + r.from + " -> " + r.to; }

// Last, after the seed's lines: where the request said the image runs, so a
// reader can tell which deployment DIUN was watching.
std::string seen_line(const Result& r) { return r.seen_in.empty() ? std::string() : "\nSeen by DIUN: " + r.seen_in; }
}  // namespace

std::string success_text(const Result& r, const std::string& verification) {
  std::string text = "[Upgrade Agent] SUCCESS: *" + r.stack + "* upgraded " + r.from + " -> " + r.to;
  text += "\nVerification: " + verification;
  for (const auto& s : r.stops) {
    if (r.stops.size() > 1) {
      text += "\nCommit (" + s.from + " -> " + s.to + "): " + s.commit;
    } else {
      text += "\nCommit: " + s.commit;
    }
  }
  if (r.follow_up_of) text += "\nFollow-up of " + *r.follow_up_of;
  return text + seen_line(r);
}

std::string failed_text(const Result& r, const std::string& rollback_status) {
  std::string text = "[Upgrade Agent] FAILED + ROLLED BACK: " + head(r);
  text += "\nReason: " + r.reason;
  text += "\nRollback commit: " + (r.rollback_commit.empty() ? std::string("none") : r.rollback_commit);
  text += "\nRollback status: " + rollback_status;
  if (!r.live.empty()) text += "\nLive version: " + r.live;
  return text + seen_line(r);
}

std::string critical_text(const Result& r, const std::string& detail) {
  std::string text = "[Upgrade Agent] CRITICAL: Rollback of *" + r.stack + "* also failed. Manual intervention required.";
  text += "\nUpgrade: " + r.from + " -> " + r.to;
  if (!r.stops.empty()) text += " (commit " + r.stops.back().commit + ")";
  text += "\nReason: " + r.reason;
  text += "\nRollback: " + detail;
  return text + seen_line(r);
}

std::string aborted_text(const Result& r) {
  return "[Upgrade Agent] ABORTED: " + head(r) + "\nReason: " + r.reason + "\nNothing was committed." + seen_line(r);
}

}  // namespace ua::saga
