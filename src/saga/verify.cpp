// Step 10: the verification window. Each round runs every check at once
// (pods, each ingress host, the Uptime Kuma monitor); the first check that
// fails cancels the others and ends the window there and then. A check that
// cannot tell yet (rollout still going, monitor pending, an API blip) is
// "pending": fine during the window, a failure at its end.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "saga/steps.hpp"
#include "upgrade_agent/config/duration.hpp"

namespace ua::saga {

namespace asio = boost::asio;

namespace {

enum class Seen { pass, pending, fail };

struct CheckResult {
  Seen seen = Seen::pass;
  std::string what;    // "pods", "https://host", "Uptime Kuma"
  std::string detail;
};

// Thrown by a failing check so that the parallel group cancels the rest.
struct CheckFailed {};

struct Round {
  std::vector<CheckResult> results;
  std::size_t interrupted = 0;  // checks that ended by cancellation
  bool cancelled = false;       // the round as a whole was cancelled
};

using Baseline = std::map<std::string, unsigned>;  // "<pod>/<container>" -> restarts when first seen

bool is_fatal_wait(const std::string& reason) {
  return reason == "CrashLoopBackOff" || reason == "Error" || reason == "ImagePullBackOff" ||
         reason == "ErrImagePull" || reason == "InvalidImageName" || reason == "CreateContainerConfigError";
}

// The registry digest of a container status' imageID ("docker-pullable://x@sha256:..."
// or "x@sha256:..."); a bare "sha256:..." is the local config id, not a registry digest.
std::optional<std::string> image_id_digest(const std::string& image_id) {
  const auto at = image_id.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  std::string digest = image_id.substr(at + 1);
  if (digest.rfind("sha256:", 0) != 0) return std::nullopt;
  return digest;
}

CheckResult judge_pods(const std::vector<ports::PodStatus>& pods, const VerifyTarget& target, Baseline& baseline) {
  CheckResult r{Seen::pass, "pods", {}};
  std::vector<std::string> pending;
  std::size_t running_image = 0;
  std::size_t considered = 0;
  for (const auto& pod : pods) {
    if (pod.phase == "Succeeded") continue;  // finished Job pods of a namespace-wide listing
    ++considered;
    for (const auto* list : {&pod.init_containers, &pod.containers}) {
      for (const auto& c : *list) {
        if (is_fatal_wait(c.waiting_reason)) {
          r.seen = Seen::fail;
          r.detail = "pod " + pod.name + " container " + c.name + ": " + c.waiting_reason;
          return r;
        }
        const std::string key = pod.name + "/" + c.name;
        const auto [it, fresh] = baseline.emplace(key, c.restart_count);
        if (!fresh && c.restart_count > it->second) {
          r.seen = Seen::fail;
          r.detail = "pod " + pod.name + " container " + c.name + " restarted: " + std::to_string(it->second) +
                     " -> " + std::to_string(c.restart_count) + " restarts during the window";
          return r;
        }
      }
    }
    for (const auto& c : pod.containers) {
      auto ref = core::parse_image_ref(c.image);
      if (!ref || !ref->same_image(target.image)) continue;
      ++running_image;
      const std::string tag = ref->tag.value_or("latest");
      if (!target.tags.contains(tag)) {
        pending.push_back("pod " + pod.name + " runs " + tag + ", not the expected " + *target.tags.begin());
      } else if (ref->digest && !target.digests.empty()) {
        // A pinned image: the tag says little, the digest the kubelet pulled says what runs.
        const auto running = image_id_digest(c.image_id);
        if (!running) {
          pending.push_back("pod " + pod.name + " container " + c.name + " reports no image digest yet");
        } else if (!target.digests.contains(*running)) {
          pending.push_back("pod " + pod.name + " container " + c.name + " runs " + *running + ", not the pushed " +
                            *target.digests.begin());
        }
      }
    }
    if (!pod.ready) pending.push_back("pod " + pod.name + " is not Ready (" + pod.phase + ")");
  }
  if (considered == 0) pending.push_back("no pods found for app=" + target.service + " in " + target.namespace_name);
  if (considered > 0 && running_image == 0) pending.push_back("no pod runs " + target.image.familiar_name());
  if (!pending.empty()) {
    r.seen = Seen::pending;
    r.detail = pending.front();
    if (pending.size() > 1) r.detail += " (+" + std::to_string(pending.size() - 1) + " more)";
    return r;
  }
  r.detail = std::to_string(considered) + " pod(s) Ready on " + *target.tags.begin();
  return r;
}

asio::awaitable<CheckResult> check_pods(ports::Cluster& cluster, const VerifyTarget& target, Baseline& baseline,
                                        core::Deadline deadline) {
  auto pods = co_await cluster.list_pods(target.namespace_name, target.service, deadline);
  if (pods && pods->empty()) pods = co_await cluster.list_pods(target.namespace_name, "", deadline);
  if (!pods) {
    if (pods.error().is(core::ErrorKind::cancelled)) throw pods.error();
    co_return CheckResult{Seen::pending, "pods", "cannot list pods: " + pods.error().describe()};
  }
  co_return judge_pods(*pods, target, baseline);
}

asio::awaitable<CheckResult> check_host(ports::HttpHealth& http, const std::string& host, core::Deadline deadline) {
  auto checked = co_await http.check(host, deadline);
  if (!checked) {
    if (checked.error().is(core::ErrorKind::cancelled)) throw checked.error();
    co_return CheckResult{Seen::pending, host, checked.error().describe()};
  }
  co_return CheckResult{checked->healthy ? Seen::pass : Seen::fail, host, checked->detail};
}

asio::awaitable<CheckResult> check_monitor(ports::Monitors& monitors, const VerifyTarget& target,
                                           const std::vector<std::string>& hosts, core::Deadline deadline) {
  auto status = co_await monitors.status(target.service, hosts, deadline);
  if (!status) {
    if (status.error().is(core::ErrorKind::cancelled)) throw status.error();
    co_return CheckResult{Seen::pending, "Uptime Kuma", status.error().describe()};
  }
  const std::string name = status->monitor.empty() ? target.service : status->monitor;
  switch (status->state) {
    case ports::MonitorState::up: co_return CheckResult{Seen::pass, "Uptime Kuma", "monitor " + name + " up"};
    case ports::MonitorState::down: co_return CheckResult{Seen::fail, "Uptime Kuma", "monitor " + name + " down"};
    case ports::MonitorState::pending:
      co_return CheckResult{Seen::pending, "Uptime Kuma", "monitor " + name + " pending"};
    case ports::MonitorState::maintenance:
      co_return CheckResult{Seen::pass, "Uptime Kuma", "monitor " + name + " in maintenance: skipped"};
    case ports::MonitorState::no_monitor: break;
  }
  co_return CheckResult{Seen::pass, "Uptime Kuma",
                        status->detail.empty() ? "no monitor: skipped" : "skipped: " + status->detail};
}

// One check as a child of the round's parallel group: it records its result,
// and a failure throws so that the group cancels its siblings at once. A
// sibling cancelled that way leaves its slot empty; only the saga's own
// cancellation (or a check cancelled while none failed) cancels the round.
asio::awaitable<void> run_check(std::shared_ptr<Round> round, std::size_t slot,
                                std::function<asio::awaitable<CheckResult>()> check) {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  bool interrupted = false;
  try {
    round->results[slot] = co_await check();
  } catch (const core::Error&) {
    interrupted = true;
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      interrupted = true;
    } else {
      round->results[slot].seen = Seen::pending;
      round->results[slot].detail = e.what();
    }
  }
  if (interrupted) {
    round->results[slot] = CheckResult{};
    ++round->interrupted;
    co_return;
  }
  if (round->results[slot].seen == Seen::fail) throw CheckFailed{};
}

using CheckFn = std::function<asio::awaitable<CheckResult>()>;

asio::awaitable<std::shared_ptr<Round>> run_round(std::vector<CheckFn> checks) {
  auto round = std::make_shared<Round>();
  round->results.resize(checks.size());
  const auto ex = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(ex, run_check(round, 0, CheckFn{}), asio::deferred));
  std::vector<Op> ops;
  ops.reserve(checks.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    ops.push_back(asio::co_spawn(ex, run_check(round, i, std::move(checks[i])), asio::deferred));
  }
  auto group = asio::experimental::make_parallel_group(std::move(ops));
  auto [order, errors] = co_await group.async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
  (void)order;
  (void)errors;
  const auto state = co_await asio::this_coro::cancellation_state;
  const bool one_failed = std::any_of(round->results.begin(), round->results.end(),
                                      [](const CheckResult& r) { return r.seen == Seen::fail && !r.what.empty(); });
  if (state.cancelled() != asio::cancellation_type::none || (round->interrupted > 0 && !one_failed)) {
    round->cancelled = true;
  }
  co_return round;
}

core::Error cancelled_error() {
  return core::make_error(core::ErrorKind::cancelled, "verification cancelled", "saga", "verify");
}

std::string summary_of(const std::vector<CheckResult>& results, bool had_hosts) {
  std::string pods = "pods ready";
  std::string http = had_hosts ? "HTTP OK" : "HTTP skipped (no ingress)";
  std::string kuma;
  for (const auto& r : results) {
    if (r.what == "Uptime Kuma") kuma = ", Uptime Kuma: " + r.detail;
  }
  return pods + ", " + http + kuma;
}

}  // namespace

asio::awaitable<core::Expected<Verified>> verify(ports::Cluster& cluster, ports::HttpHealth& http,
                                                 ports::Monitors& monitors, VerifyTarget target,
                                                 core::Deadline window_end, Reporter& reporter, Step step) {
  // Rounded to 100 ms: the window began a moment ago.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(core::time_left(window_end) +
                                                                          std::chrono::milliseconds(50));
  reporter.started(step, "verifying " + target.service + " in " + target.namespace_name + " until the window ends (" +
                             config::format_duration(left / 100 * 100) + "), checking every " +
                             config::format_duration(
                                 std::chrono::duration_cast<std::chrono::milliseconds>(target.interval)));
  // One exit at the end: g++ 12 mis-compiles coroutines that co_return
  // values of different types (a Verified here, an Error there) into one
  // Expected from several places.
  Verified verified;
  std::optional<core::Error> error;
  std::vector<std::string> hosts;
  {
    auto listed = co_await cluster.ingress_hosts(target.namespace_name, core::within(target.limit, target.lookup_timeout));
    if (!listed && listed.error().is(core::ErrorKind::cancelled)) {
      error = listed.error();
    } else if (!listed) {
      verified.reason = "cannot list the ingresses of " + target.namespace_name + ": " + listed.error().describe();
      reporter.failed(step, core::make_error(core::ErrorKind::unavailable, verified.reason, "saga", "verify"));
    } else {
      hosts = std::move(*listed);
    }
  }
  Baseline baseline;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (unsigned n = 1; !error && verified.reason.empty(); ++n) {
    // A round started inside the window runs to its end: cutting its
    // requests at the window's end would call a healthy service "pending".
    const auto deadline = core::within(target.limit, target.lookup_timeout);
    std::vector<CheckFn> checks;
    checks.emplace_back([&cluster, &target, &baseline, deadline] { return check_pods(cluster, target, baseline, deadline); });
    for (const auto& host : hosts) {
      checks.emplace_back([&http, &host, deadline] { return check_host(http, host, deadline); });
    }
    checks.emplace_back([&monitors, &target, &hosts, deadline] { return check_monitor(monitors, target, hosts, deadline); });
    auto round = co_await run_round(std::move(checks));
    if (round->cancelled) {
      error = cancelled_error();
      break;
    }

    const CheckResult* failed = nullptr;
    const CheckResult* pending = nullptr;
    std::string line = "round " + std::to_string(n) + ":";
    for (const auto& r : round->results) {
      if (r.what.empty()) continue;  // cancelled by a sibling's failure
      line += " " + r.what + (r.seen == Seen::pass ? " ok" : r.seen == Seen::pending ? " pending" : " FAILED");
      if (r.seen == Seen::fail && !failed) failed = &r;
      if (r.seen == Seen::pending && !pending) pending = &r;
    }
    verified.evidence.push_back(line);
    reporter.progress(step, line);
    if (failed) {
      verified.reason = failed->what + ": " + failed->detail;
      verified.evidence.push_back(verified.reason);
      reporter.failed(step, core::make_error(core::ErrorKind::refused, verified.reason, "saga", "verify"),
                      verified.evidence);
      break;
    }
    if (core::Clock::now() >= window_end) {
      if (pending) {
        verified.reason = "still " + pending->what + " pending when the window ended: " + pending->detail;
        verified.evidence.push_back(verified.reason);
        reporter.failed(step, core::make_error(core::ErrorKind::timeout, verified.reason, "saga", "verify"),
                        verified.evidence);
        break;
      }
      verified.healthy = true;
      verified.summary = summary_of(round->results, !hosts.empty());
      reporter.finished(step, verified.summary, verified.evidence);
      break;
    }
    timer.expires_at(core::within(window_end, target.interval));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) error = cancelled_error();
  }
  core::Expected<Verified> answer = std::move(verified);
  if (error) answer = std::move(*error);
  co_return answer;
}

}  // namespace ua::saga
