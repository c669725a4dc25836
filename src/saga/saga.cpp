// The saga, top to bottom as the seed tells it. Each step is a function in
// its own file; this one only decides what comes next.
#include "upgrade_agent/saga/saga.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>

#include "saga/steps.hpp"

namespace ua::saga {

namespace asio = boost::asio;

namespace {

constexpr auto kDecisionTimeout = std::chrono::seconds(90);
constexpr auto kPushTimeout = std::chrono::minutes(2);

using Outcome_t = Outcome;

Outcome outcome_of(const core::Error& e) {
  switch (e.kind) {
    case core::ErrorKind::cancelled: return Outcome::cancelled;
    case core::ErrorKind::bad_input: return Outcome::bad_input;
    default: return Outcome::failed;
  }
}

asio::awaitable<bool> terminally_cancelled() {
  const auto state = co_await asio::this_coro::cancellation_state;
  co_return (state.cancelled() & asio::cancellation_type::terminal) != asio::cancellation_type::none;
}

// After a total cancellation the saga still reverts and reports: those calls
// must not see the old request to stop.
asio::awaitable<void> clear_cancellation() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
}

// The paths the upgrade commit stages: exactly the files the edit changes,
// the version's and the renamed settings'.
std::vector<std::string> edited_paths(const terraform::ChangePlan& changes, const terraform::ConfigChanges& renames) {
  std::vector<std::string> paths;
  auto add = [&paths](const std::string& file) {
    if (std::find(paths.begin(), paths.end(), file) == paths.end()) paths.push_back(file);
  };
  for (const auto& c : changes.changes) add(c.site.file);
  for (const auto& r : renames.renames) {
    for (const auto& s : r.sites) add(s.file);
  }
  return paths;
}

// The decision's message with the backup the run really made.
std::string with_backup_line(const std::string& message, const std::string& backup_line) {
  const std::string key = "\nDB backup: ";
  const auto at = message.find(key);
  if (at == std::string::npos) return message;
  const auto end = message.find('\n', at + key.size());
  return message.substr(0, at + key.size()) + backup_line + (end == std::string::npos ? "" : message.substr(end));
}

}  // namespace

Timing Timing::from(const config::Settings& s) {
  Timing t;
  t.ceiling = s.ceiling;
  t.ci_timeout = s.ci_timeout;
  t.verify_window_safe = s.verify_window_safe;
  t.verify_window_caution = s.verify_window_caution;
  t.rollback_window = std::min<Duration>(s.verify_window_safe, std::chrono::minutes(1));
  t.check_interval = s.check_interval;
  t.backup_timeout = s.backup_timeout;
  t.follow_up_window = s.follow_up_window;
  t.push_reserve = std::max<Duration>(std::min<Duration>(std::chrono::minutes(2), s.ceiling / 6), s.ceiling / 10);
  t.report_reserve = std::max<Duration>(std::min<Duration>(std::chrono::seconds(30), s.ceiling / 20), s.ceiling / 20);
  t.lookup_timeout = std::min<Duration>(std::chrono::seconds(60), s.ceiling / 4);
  return t;
}

namespace {

bool any_pin(const terraform::Findings& findings) {
  return std::any_of(findings.references.begin(), findings.references.end(),
                     [](const terraform::Reference& r) { return !r.pin.empty(); });
}

// The outcome of the local part when it already says there is nothing to do.
bool settled_locally(const Located& located, Result& result) {
  using terraform::Outcome;
  switch (located.changes.outcome) {
    case Outcome::edit:
    case Outcome::needs_chart_version: return false;
    case Outcome::already_current: result.outcome = Outcome_t::already_current; break;
    case Outcome::refused:
      // Pinned references wait for the registry's digests (the decision's).
      if (located.changes.rule == core::Rule::digest_pinned && any_pin(located.findings)) return false;
      result.outcome = Outcome_t::refused;
      break;
    case Outcome::not_referenced: result.outcome = Outcome_t::not_referenced; break;
  }
  result.reason = located.changes.reason;
  return true;
}

VerifyTarget verify_target(const Located& located, const Job& job, std::set<std::string> tags,
                           std::set<std::string> digests, Duration window, const Timing& timing) {
  VerifyTarget t;
  t.digests = std::move(digests);
  t.namespace_name = located.reference().namespace_name;
  t.service = located.service();
  t.image = job.image;
  t.tags = std::move(tags);
  if (t.tags.empty()) t.tags.insert(job.target_tag);
  t.window = window;
  t.interval = timing.check_interval;
  t.lookup_timeout = timing.lookup_timeout;
  return t;
}

// A push that failed in transit may still have reached the remote: look
// before anyone pushes the same upgrade again.
asio::awaitable<std::optional<std::string>> landed_anyway(ports::GitClone& git, const std::string& service,
                                                          const std::string& message, core::Deadline deadline) {
  auto recent = co_await git.recent_upgrade(service, std::chrono::minutes(5), deadline);
  if (recent && *recent && (*recent)->message == message) co_return (*recent)->sha;
  co_return std::nullopt;
}

// A publish that failed because the tip moved (its edit no longer applies, or
// the remote kept moving), as opposed to one that could not reach the remote.
bool moved_under_us(const core::Error& e) {
  return e.is(core::ErrorKind::bad_input) || e.is(core::ErrorKind::conflict);
}

// The stack a located request belongs to; empty when nothing names the image.
std::string stack_of(const Located& located) {
  if (!located.findings.references.empty()) return located.service();
  const auto& skipped = located.findings.skipped;
  return skipped.empty() ? std::string() : skipped.front().stack;
}

// Where a resumed saga picks up: its in-flight commit is the decision's
// first stop (it is decided again from the files before that commit).
struct Resumed {
  std::string subject;  // of the upgrade commit
  std::string upgrade_sha;
  std::string revert_sha;  // the revert is on the remote
  bool revert = false;     // the upgrade was being rolled back
  std::string failure;     // why
};

// The first stop whose commit subject is the resumed commit's.
std::optional<std::size_t> resumed_stop(const plan::Decision& decision, const std::string& subject) {
  for (std::size_t i = 0; i < decision.steps.size(); ++i) {
    const auto& message = decision.steps[i].commit_message;
    if (message && message->substr(0, message->find('\n')) == subject) return i;
  }
  return std::nullopt;
}

// Steps 2-11 for a located request, holding the stack. `resumed`: the
// upgrade commit is already pushed (located is the tree before it).
asio::awaitable<void> upgrade(Ports& p, const Context& ctx, const Job& job, const Located& located,
                              const Budget& budget, Reporter& rep, Result& result, const Resumed* resumed = nullptr) {
  const auto& timing = ctx.timing;
  const auto& ref = located.reference();
  const bool chart = ref.pattern == terraform::Pattern::chart;
  result.stack = located.service();
  result.from = ref.current;
  result.live = ref.current;
  rep.set_stack(result.stack);
  rep.finished(Step::locate, std::to_string(located.findings.references.size()) + " reference(s) of " +
                                 job.image.familiar_name() + " in stack " + ref.stack + " at " +
                                 located.tip.substr(0, 12));

  // Multi-image follow-up (seed, Edge Cases): the stack moved recently.
  // (A resumed saga's recent upgrade is its own.)
  if (resumed == nullptr) {
    std::string stack_name = result.stack;
    auto recent = co_await p.git.recent_upgrade(
        std::move(stack_name), std::chrono::duration_cast<std::chrono::seconds>(timing.follow_up_window),
        budget.wait(timing.lookup_timeout));
    if (recent && *recent && !(*recent)->reverted) {
      result.follow_up_of = (*recent)->sha;
      rep.progress(Step::locate, "follow-up of " + (*recent)->subject + " (" + (*recent)->sha.substr(0, 12) + ")");
    }
  }

  // Steps 2-4: repository, changelog, risk, stops and messages.
  rep.started(Step::decide);
  auto decided = co_await decide(p.decider, located, job, ctx, budget.wait(kDecisionTimeout));
  std::optional<std::size_t> first_stop = 0;
  if (decided && resumed != nullptr) first_stop = resumed_stop(*decided, resumed->subject);
  if (resumed != nullptr && (!decided || !first_stop)) {
    // The pushed commit cannot be matched to a decision again: it must not
    // stay live unverified, so it is rolled back.
    const std::string why = decided ? "the decision no longer names the commit \"" + resumed->subject + "\""
                                    : "the decision failed: " + decided.error().describe();
    rep.failed(Step::decide, core::make_error(core::ErrorKind::unavailable, "resumed after a restart, " + why,
                                              "saga", "resume"));
    result.reason = "resumed after a restart, " + why;
    result.stops.push_back(StopResult{ref.current, job.target_tag, resumed->upgrade_sha, false});
    RollbackPorts rollback_ports{p.git, p.ci, p.cluster, p.http, p.monitors};
    auto previous = verify_target(located, job, current_tags(located.findings), current_digests(located.findings),
                                  timing.rollback_window, timing);
    std::string revert_on_remote = resumed->revert_sha;
    auto rolled = co_await roll_back(rollback_ports, resumed->upgrade_sha, resumed->subject, std::move(previous),
                                     budget, rep, std::move(revert_on_remote));
    result.rollback_commit = rolled.sha;
    if (!rolled.ok) {
      result.outcome = Outcome::critical;
      result.live = "unknown";
      co_await report(p.notifier, critical_text(result, rolled.status), budget.ceiling(), rep, result);
      co_return;
    }
    result.outcome = Outcome::rolled_back;
    co_await report(p.notifier, failed_text(result, rolled.status), budget.ceiling(), rep, result);
    co_return;
  }
  if (!decided) {
    rep.failed(Step::decide, decided.error());
    result.outcome = outcome_of(decided.error());
    result.reason = decided.error().describe();
    if (result.outcome != Outcome::cancelled) {
      co_await report(p.notifier, aborted_text(result), budget.ceiling(), rep, result);
    }
    co_return;
  }
  const plan::Decision& decision = *decided;
  // A target the registry says does not exist is refused before anything is
  // reported, backed up or pushed: it would deploy ImagePullBackOff.
  if (decision.registry.target == plan::TargetState::missing) {
    result.outcome = Outcome::refused;
    result.reason = decision.registry.note;
    rep.failed(Step::decide, core::make_error(core::ErrorKind::refused, result.reason, "registry", "check target"));
    co_return;
  }
  if (!chart && !decision.steps.empty()) {
    // With the pins' digests known: a reference that cannot move (a pin the
    // registry cannot move, and nothing else to edit) is refused here too.
    const EditTarget first{decision.steps.front().to, std::nullopt, decision.steps.front().config_changes,
                           decision.steps.front().pins};
    const auto first_changes = terraform::plan_changes(located.findings, edit_request(ctx.config, first));
    if (first_changes.outcome != terraform::Outcome::edit) {
      result.outcome = first_changes.outcome == terraform::Outcome::already_current ? Outcome::already_current
                                                                                      : Outcome::refused;
      result.reason = first_changes.reason;
      rep.failed(Step::decide, core::make_error(core::ErrorKind::refused, result.reason, "saga", "decide"));
      co_return;
    }
  }
  if (decision.registry.target == plan::TargetState::unchecked) rep.progress(Step::decide, decision.registry.note);
  for (const auto& skipped : decision.registry.skipped_stops) rep.progress(Step::decide, skipped);
  result.risk = std::string(core::to_string(decision.risk.risk));
  if (chart) result.from = decision.chart && decision.chart->current_app_version ? *decision.chart->current_app_version
                                                                                 : ref.current;
  if (decision.steps.empty() || (chart && !(decision.chart && decision.chart->chosen))) {
    result.outcome = Outcome::aborted;
    result.reason = chart && decision.chart ? decision.chart->reason : "the decision has no step to take";
    rep.failed(Step::decide, core::make_error(core::ErrorKind::refused, result.reason, "saga", "decide"));
    co_await report(p.notifier, aborted_text(result), budget.ceiling(), rep, result);
    co_return;
  }
  rep.finished(Step::decide, "risk " + result.risk + ", " + std::to_string(decision.steps.size()) + " stop(s)",
               decision.risk.reasons);

  // Steps 5 and 6 happened before the restart for a resumed saga.
  std::optional<std::string> backup_line;
  if (resumed == nullptr) {
    // Step 5: Starting.
    co_await report(p.notifier, decision.steps.front().slack_starting, budget.ceiling(), rep, result,
                    Step::report_starting);

    // Step 6: backup; a failure aborts before any commit.
    rep.started(Step::backup, decision.backup.description);
    const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto backed_up = co_await back_up(p.cluster, decision.backup, result.stack, epoch,
                                      budget.wait(timing.backup_timeout), rep);
    if (!backed_up) {
      rep.failed(Step::backup, backed_up.error());
      result.outcome = backed_up.error().is(core::ErrorKind::cancelled) ? Outcome::cancelled : Outcome::aborted;
      result.reason = "backup failed: " + backed_up.error().describe();
      co_await report(p.notifier, aborted_text(result), budget.ceiling(), rep, result);
      co_return;
    }
    backup_line = backed_up->commit_line;
  }

  // Steps 7-10 for each stop: commit, CI, verify; a failing stop rolls back only itself.
  const Duration window =
      decision.risk.risk == core::Risk::caution ? timing.verify_window_caution : timing.verify_window_safe;
  std::set<std::string> live_tags = current_tags(located.findings);
  std::set<std::string> live_digests = current_digests(located.findings);
  std::string verification;
  for (std::size_t i = *first_stop; i < decision.steps.size(); ++i) {
    const auto& step = decision.steps[i];
    const bool in_flight = resumed != nullptr && i == *first_stop;
    if (i > 0 && !in_flight) {
      co_await report(p.notifier, step.slack_starting, budget.ceiling(), rep, result, Step::report_starting);
    }
    EditTarget target{chart ? job.target_tag : step.to, chart ? std::optional<std::string>(step.to) : std::nullopt,
                      step.config_changes, step.pins};
    const auto changes = terraform::plan_changes(located.findings, edit_request(ctx.config, target));
    const auto expected = expected_tags(located.findings, changes);
    const auto expected_pins = expected_digests(located.findings, changes);
    if (!step.commit_message) {
      rep.failed(Step::publish, step.commit_message.error());
      result.outcome = i == 0 ? Outcome::aborted : Outcome::failed;
      result.reason = "no commit for " + step.to + ": " + step.commit_message.error().describe();
      std::string text = i == 0 ? aborted_text(result) : failed_text(result, "nothing to roll back");
      co_await report(p.notifier, std::move(text), budget.ceiling(), rep, result);
      co_return;
    }
    const std::string message = backup_line ? with_backup_line(*step.commit_message, *backup_line)
                                            : *step.commit_message;
    const std::string subject = message.substr(0, message.find('\n'));

    core::Expected<ports::Pushed> pushed = ports::Pushed{};
    if (in_flight) {
      pushed = ports::Pushed{resumed->upgrade_sha, 0};
      rep.progress(Step::publish, "resumed after a restart: " + subject + " is on the remote as " +
                                      resumed->upgrade_sha.substr(0, 12));
    } else {
      rep.started(Step::publish, subject);
      const auto push_deadline = budget.wait(kPushTimeout);
      auto paths = edited_paths(changes, step.config_changes);
      auto made = co_await publish(p.git, ctx.config, job, target, std::move(paths), message, push_deadline, rep);
      pushed = std::move(made);
    }
    if (!pushed && (pushed.error().is(core::ErrorKind::unavailable) || pushed.error().is(core::ErrorKind::timeout))) {
      auto sha = co_await landed_anyway(p.git, result.stack, message, budget.wait(timing.lookup_timeout));
      if (sha) {
        rep.progress(Step::publish, "the push failed in transit but the remote has the commit");
        pushed = ports::Pushed{*sha, 1};
        rep.emit(EventKind::pushed, Step::publish, subject, *sha);
      }
    }
    if (!pushed && i == 0 && decision.steps.size() == 1 && !in_flight && moved_under_us(pushed.error())) {
      // Someone else pushed this very bump between the agent's commit and its
      // push (with several stops, the first one reached is not the target).
      auto tip = co_await locate(p.git, ctx.config, job, target, budget.wait(timing.lookup_timeout));
      if (tip && tip->changes.outcome == terraform::Outcome::already_current) {
        rep.failed(Step::publish, pushed.error());
        result.outcome = Outcome::already_current;
        result.reason = "the remote reached " + step.to + " while the agent's push was on its way (" +
                        tip->changes.reason + "); nothing of the agent's was pushed";
        co_await report(p.notifier, aborted_text(result), budget.ceiling(), rep, result);
        co_return;
      }
    }
    if (!pushed) {
      rep.failed(Step::publish, pushed.error());
      result.outcome = pushed.error().is(core::ErrorKind::cancelled) ? Outcome::cancelled
                       : i == 0                                       ? Outcome::aborted
                                                                      : Outcome::failed;
      result.reason = "publishing " + step.to + " failed: " + pushed.error().describe();
      std::string text = i == 0 ? aborted_text(result) : failed_text(result, "nothing to roll back");
      co_await report(p.notifier, std::move(text), budget.ceiling(), rep, result);
      co_return;
    }
    rep.finished(Step::publish, subject, {pushed->sha});
    result.stops.push_back(StopResult{step.from, step.to, pushed->sha, false});

    // Step 9, then 10 (a resumed rollback goes straight to 10b).
    std::string failure;
    bool cancelled = false;
    const bool roll_back_now = in_flight && resumed->revert;
    std::optional<core::Expected<ports::CiOutcome>> ci;
    if (!roll_back_now) {
      auto waited = co_await wait_for_ci(p.ci, pushed->sha, budget.wait(timing.ci_timeout), rep);
      ci = std::move(waited);
    }
    if (roll_back_now) {
      failure = resumed->failure.empty() ? std::string("verification failed before a restart") : resumed->failure;
    } else if (!*ci) {
      cancelled = ci->error().is(core::ErrorKind::cancelled);
      failure = "CI: " + ci->error().describe();
    } else if ((*ci)->state != ports::CiState::success) {
      failure = "CI workflow " + (*ci)->workflow + " of pipeline " + std::to_string((*ci)->pipeline) + " ended " +
                (*ci)->state_text;
    } else if (core::time_left(budget.forward()) < window) {
      failure = "the ceiling leaves " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(core::time_left(budget.forward()))
                                   .count()) +
                "s, less than the " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(window).count()) +
                "s verification window";
      rep.failed(Step::verify, core::make_error(core::ErrorKind::timeout, failure, "saga", "verify"));
    } else {
      auto checks = verify_target(located, job, expected, expected_pins, window, timing);
      checks.limit = budget.forward();
      auto verified = co_await verify(p.cluster, p.http, p.monitors, std::move(checks),
                                      core::within(budget.forward(), window), rep);
      if (!verified) {
        cancelled = verified.error().is(core::ErrorKind::cancelled);
        failure = "verification: " + verified.error().describe();
      } else if (!verified->healthy) {
        failure = "verification failed: " + verified->reason;
      } else {
        verification = verified->summary;
      }
    }

    if (failure.empty()) {
      result.stops.back().verified = true;
      result.live = step.to;
      live_tags = expected;
      live_digests = expected_pins;
      continue;
    }

    // Step 10b: roll back this stop only.
    result.reason = failure;
    bool stop_now = false;
    if (cancelled) stop_now = co_await terminally_cancelled();
    if (stop_now) {
      result.outcome = Outcome::cancelled;
      result.reason += " (stopped at once: " + pushed->sha + " is pushed and not verified)";
      co_return;
    }
    if (cancelled) co_await clear_cancellation();
    RollbackPorts rollback_ports{p.git, p.ci, p.cluster, p.http, p.monitors};
    auto previous = verify_target(located, job, live_tags, live_digests, timing.rollback_window, timing);
    std::string revert_on_remote = in_flight ? resumed->revert_sha : std::string();
    auto rolled = co_await roll_back(rollback_ports, pushed->sha, subject, std::move(previous), budget, rep,
                                     std::move(revert_on_remote));
    result.rollback_commit = rolled.sha;
    if (!rolled.ok) {
      result.outcome = Outcome::critical;
      result.live = "unknown";
      co_await report(p.notifier, critical_text(result, rolled.status), budget.ceiling(), rep, result);
      co_return;
    }
    result.outcome = cancelled ? Outcome::cancelled : Outcome::rolled_back;
    co_await report(p.notifier, failed_text(result, rolled.status), budget.ceiling(), rep, result);
    co_return;
  }

  // Step 11.
  result.outcome = Outcome::upgraded;
  result.reason = "verified: " + verification;
  co_await report(p.notifier, success_text(result, verification), budget.ceiling(), rep, result);
}

// Where a resumed saga stands on the remote now; nullopt: nothing of it
// landed, so it starts over.
asio::awaitable<std::optional<Resumed>> resumed_on_remote(ports::GitClone& git, const Resume& resume,
                                                          std::string service, core::Deadline deadline) {
  Resumed r;
  r.subject = resume.upgrade_subject;
  r.upgrade_sha = resume.upgrade_sha;
  r.revert_sha = resume.revert_sha;
  r.failure = resume.failure;
  r.revert = resume.point == Resume::Point::reverting || resume.point == Resume::Point::reverted;
  // Two days: a restart far later than a saga's ceiling still finds its commit.
  auto recent = co_await git.recent_upgrade(std::move(service), std::chrono::hours(48), deadline);
  const ports::RecentCommit* newest = recent && *recent ? &**recent : nullptr;
  if (resume.point == Resume::Point::about_to_push) {
    if (newest == nullptr || newest->subject != resume.upgrade_subject) co_return std::nullopt;
    r.upgrade_sha = newest->sha;
  }
  if (newest != nullptr && newest->sha == r.upgrade_sha && newest->reverted && r.revert_sha.empty()) {
    r.revert = true;
    r.revert_sha = newest->reverted_by;
    if (r.failure.empty()) r.failure = "the upgrade was reverted before a restart";
  }
  co_return r;
}

}  // namespace

asio::awaitable<Result> run_upgrade(Ports p, Context ctx, Job job, Observer& observer) {
  // The entry coroutine owns the cancellation policy: a first (total) request
  // to stop still lets it revert and report; a terminal one ends it.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);

  const Budget budget(core::Clock::now(), ctx.timing);
  Reporter rep(observer, job.id, budget);
  Result result;
  result.to = job.target_tag;
  result.seen_in = job.seen_in;

  // Resumed with only the final report left: post what was about to go out.
  if (job.resume && job.resume->point == Resume::Point::report) {
    result.outcome = job.resume->outcome;
    result.reason = "resumed after a restart: the final report had not been delivered";
    co_await report(p.notifier, job.resume->report_text, budget.ceiling(), rep, result);
    co_return result;
  }

  // Step 1: locate, at the remote tip.
  rep.started(Step::locate, job.image.familiar_name() + ":" + job.target_tag);
  const EditTarget target{job.target_tag, std::nullopt, {}, {}};
  auto located = co_await locate(p.git, ctx.config, job, target, budget.wait(ctx.timing.lookup_timeout));
  // Named as soon as it is known, so a saga that ends here (a refusal, a wait
  // for the stack that timed out) still says which stack it was.
  if (located) result.stack = stack_of(*located);
  if (located && !located->findings.references.empty()) {
    // One saga per stack: wait for the one running, then look again.
    const std::string stack = located->reference().stack;
    const bool waited = p.locks.busy(stack);
    if (waited) rep.progress(Step::locate, "another upgrade of " + stack + " is running; waiting for it");
    auto guard = co_await p.locks.acquire(stack, budget.forward());
    if (!guard) {
      rep.failed(Step::locate, guard.error());
      result.outcome = outcome_of(guard.error());
      result.reason = guard.error().describe();
      co_return result;
    }
    const StackLocks::Guard held = std::move(*guard);
    if (waited) located = co_await locate(p.git, ctx.config, job, target, budget.wait(ctx.timing.lookup_timeout));
    std::optional<Resumed> resumed;
    if (located && job.resume) {
      auto on_remote = co_await resumed_on_remote(p.git, *job.resume, located->service(),
                                                  budget.wait(ctx.timing.lookup_timeout));
      resumed = std::move(on_remote);
      rep.progress(Step::locate, resumed ? "resumed after a restart at \"" +
                                               std::string(to_string(job.resume->point)) + "\""
                                         : "resumed after a restart: nothing had reached the remote, starting over");
    }
    if (resumed) {
      // Decided again from the files as they were before its commit.
      auto before = co_await locate(p.git, ctx.config, job, target, budget.wait(ctx.timing.lookup_timeout),
                                    resumed->upgrade_sha);
      if (!before || before->findings.references.empty()) {
        auto e = before ? core::make_error(core::ErrorKind::not_found, "the commit's parent names no " +
                                                                           job.image.familiar_name(),
                                           "saga", "resume")
                        : before.error();
        rep.failed(Step::locate, e);
        result.outcome = Outcome::critical;
        result.reason = "resumed after a restart, " + resumed->upgrade_sha + " is pushed but " + e.describe();
        result.stops.push_back(StopResult{"", job.target_tag, resumed->upgrade_sha, false});
        co_await report(p.notifier, critical_text(result, "not attempted: the commit could not be read again"),
                        budget.ceiling(), rep, result);
        co_return result;
      }
      co_await upgrade(p, ctx, job, *before, budget, rep, result, &*resumed);
      co_return result;
    }
    if (located && !settled_locally(*located, result)) {
      co_await upgrade(p, ctx, job, *located, budget, rep, result);
      co_return result;
    }
  }
  if (!located) {
    rep.failed(Step::locate, located.error());
    result.outcome = outcome_of(located.error());
    result.reason = located.error().describe();
    co_return result;
  }
  if (result.reason.empty()) settled_locally(*located, result);
  rep.finished(Step::locate, std::string(to_string(result.outcome)) + ": " + result.reason);
  co_return result;
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::upgraded: return "upgraded";
    case Outcome::already_current: return "already at target";
    case Outcome::refused: return "refused";
    case Outcome::not_referenced: return "not referenced";
    case Outcome::bad_input: return "bad input";
    case Outcome::aborted: return "aborted";
    case Outcome::rolled_back: return "rolled back";
    case Outcome::critical: return "CRITICAL";
    case Outcome::cancelled: return "cancelled";
    case Outcome::failed: return "failed";
  }
  return "failed";
}

std::optional<Outcome> outcome_named(std::string_view name) noexcept {
  for (const auto o : {Outcome::upgraded, Outcome::already_current, Outcome::refused, Outcome::not_referenced,
                       Outcome::bad_input, Outcome::aborted, Outcome::rolled_back, Outcome::critical,
                       Outcome::cancelled, Outcome::failed}) {
    if (to_string(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view to_string(Resume::Point point) noexcept {
  switch (point) {
    case Resume::Point::about_to_push: return "about to push";
    case Resume::Point::pushed: return "pushed";
    case Resume::Point::reverting: return "reverting";
    case Resume::Point::reverted: return "reverted";
    case Resume::Point::report: return "report";
  }
  return "resume";
}

int exit_code(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::upgraded: return 0;
    case Outcome::bad_input: return 2;
    case Outcome::not_referenced: return 3;
    case Outcome::already_current: return 4;
    case Outcome::refused: return 5;
    default: return 1;
  }
}

asio::awaitable<core::Expected<void>> Observer::checkpoint() {
  core::Expected<void> nothing_to_keep;
  co_return nothing_to_keep;
}

asio::awaitable<core::Expected<void>> ObserverList::checkpoint() {
  core::Expected<void> answer;
  for (auto* o : observers_) {
    auto saved = co_await o->checkpoint();
    if (!saved) {
      answer = saved.error();
      break;
    }
  }
  co_return answer;
}

std::string_view to_string(Step step) noexcept {
  switch (step) {
    case Step::locate: return "locate";
    case Step::decide: return "decide";
    case Step::report_starting: return "report starting";
    case Step::backup: return "backup";
    case Step::publish: return "commit and push";
    case Step::wait_for_ci: return "wait for CI";
    case Step::verify: return "verify";
    case Step::roll_back: return "roll back";
    case Step::report: return "report";
  }
  return "step";
}

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::started: return "started";
    case EventKind::progress: return "progress";
    case EventKind::finished: return "finished";
    case EventKind::failed: return "failed";
    case EventKind::about_to_push: return "about to push";
    case EventKind::pushed: return "pushed";
    case EventKind::report_sent: return "report sent";
    case EventKind::report_failed: return "report failed";
    case EventKind::about_to_report: return "about to report";
  }
  return "event";
}

}  // namespace ua::saga
