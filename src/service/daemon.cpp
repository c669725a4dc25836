#include "upgrade_agent/service/daemon.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/net/server.hpp"
#include "upgrade_agent/runtime/crash_point.hpp"
#include "upgrade_agent/saga/saga.hpp"
#include "upgrade_agent/service/intake.hpp"
#include "upgrade_agent/service/metrics.hpp"
#include "upgrade_agent/service/wiring.hpp"
#include "upgrade_agent/store/async_journal.hpp"
#include "upgrade_agent/store/journal_observer.hpp"

namespace ua::service {

namespace asio = boost::asio;

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

namespace {

using store::RequestId;

// Every saga event as a log line, with the request's id.
class DaemonLog final : public saga::Observer {
 public:
  void on_event(const saga::Event& e) override {
    const std::string who = e.stack.empty() ? "#" + e.job : e.stack + " #" + e.job;
    switch (e.kind) {
      case saga::EventKind::failed:
        spdlog::warn("[{}] {} failed: {}", who, saga::to_string(e.step), e.detail);
        break;
      case saga::EventKind::report_failed:
        spdlog::error("[{}] report not delivered: {}", who, e.error.describe());
        break;
      case saga::EventKind::about_to_report:
        spdlog::debug("[{}] about to post: {}", who, e.detail);
        break;
      default:
        spdlog::info("[{}] {} {}{}{}{}", who, saga::to_string(e.step), saga::to_string(e.kind),
                     e.detail.empty() ? "" : ": ", e.detail, e.sha.empty() ? "" : " " + e.sha);
    }
  }
};

// The crash test's seam (runtime/crash_point.hpp): after the journal has
// been handed the event, as a kill at that moment would find it.
class CrashPoints final : public saga::Observer {
 public:
  void on_event(const saga::Event& e) override {
    runtime::crash_point(std::string(store::stored_name(e.step)) + "." + std::string(store::stored_name(e.kind)));
  }
};

// An exclusive lock on the state directory: two daemons on one journal and
// one clone would each resume the other's sagas.
class StateLock {
 public:
  static core::Expected<StateLock> take(const std::filesystem::path& dir) {
    const auto file = dir / "serve.lock";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return core::make_error(core::ErrorKind::critical, "cannot open " + file.string() + ": " + std::strerror(errno),
                              "serve", "lock the state directory");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return core::make_error(core::ErrorKind::conflict,
                              "another `serve` uses the state directory " + dir.string() + " (" + file.string() +
                                  " is locked)",
                              "serve", "lock the state directory");
    }
    return StateLock(fd);
  }
  StateLock(StateLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// "rolled back" as a label value in the ecosystem's style: "rolled_back".
std::string metric_label(std::string_view outcome) {
  std::string out;
  for (const char c : outcome) out += c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "namespace n8n, container n8n", or "" when DIUN did not say.
std::string seen_in_text(const store::SeenIn& seen) {
  std::string out;
  if (!seen.pod_namespace.empty()) out = "namespace " + seen.pod_namespace;
  if (!seen.container.empty()) out += (out.empty() ? "container " : ", container ") + seen.container;
  return out;
}

bool holds_after(saga::Outcome outcome) {
  return outcome == saga::Outcome::rolled_back || outcome == saga::Outcome::critical;
}

}  // namespace

class Daemon {
 public:
  Daemon(Wiring& wiring, ServeOptions options)
      : wiring_(wiring), options_(std::move(options)), metrics_(UPGRADE_AGENT_VERSION), wake_(wiring.io()),
        idle_(wiring.io()), signals_(wiring.io(), SIGINT, SIGTERM) {}

  asio::awaitable<int> main();
  // Sagas still running (a drain that ran out of time, a second signal).
  [[nodiscard]] bool abandoned() const { return !running_.empty(); }

 private:
  friend asio::awaitable<void> run_request(Daemon& d, store::RequestRecord request,
                                           std::optional<saga::Resume> resume);

  asio::awaitable<bool> recover();
  asio::awaitable<void> count_holds();
  asio::awaitable<void> dispatch();
  void launch(store::RequestRecord request, std::optional<saga::Resume> resume);
  void poke() {
    poked_ = true;
    wake_.cancel();
  }
  void on_signal(const boost::system::error_code& ec, int signal);
  [[nodiscard]] store::TimePoint now() const { return std::chrono::system_clock::now(); }

  Wiring& wiring_;
  ServeOptions options_;
  std::unique_ptr<store::AsyncJournal> journal_;
  Metrics metrics_;
  std::unique_ptr<IntakeContext> intake_;  // the routes refer to it: it outlives the server
  std::unique_ptr<net::Server> server_;
  asio::steady_timer wake_;  // the dispatcher's sleep; poke() ends it
  asio::steady_timer idle_;  // main's wait for the drain; a saga's end ends it
  asio::signal_set signals_;
  bool poked_ = false;
  bool draining_ = false;
  int signals_seen_ = 0;
  std::set<RequestId> running_;
  std::list<asio::cancellation_signal> stops_;  // one per running saga
  std::map<RequestId, std::list<asio::cancellation_signal>::iterator> stop_of_;
};

// One request's saga, from the queue (or resumed) to its recorded outcome.
asio::awaitable<void> run_request(Daemon& d, store::RequestRecord request, std::optional<saga::Resume> resume) {
  const RequestId id = request.id;
  auto image = core::parse_image_ref(request.target.image);
  std::string outcome;
  std::string reason;
  std::optional<saga::Outcome> ended;
  if (!image) {
    outcome = std::string(saga::to_string(saga::Outcome::bad_input));
    reason = image.error().describe();
  } else {
    saga::Job job;
    job.id = std::to_string(id);
    job.image = *image;
    job.target_tag = request.target.tag;
    job.hub_link = request.hub_link;
    job.seen_in = seen_in_text(request.seen_in);
    job.resume = std::move(resume);
    store::JournalObserver journal(*d.journal_, id, d.wiring_.io().get_executor());
    DaemonLog log;
    CrashPoints crash;
    MetricsObserver metrics(d.metrics_);
    saga::ObserverList observers;
    observers.add(journal);
    observers.add(log);
    observers.add(metrics);
    observers.add(crash);
    auto result = co_await saga::run_upgrade(d.wiring_.ports(), d.wiring_.context(), job, observers);
    // A shutdown's request to stop ends the saga, not the recording of where it stopped.
    co_await asio::this_coro::reset_cancellation_state();
    auto flushed = co_await journal.flushed();
    if (!flushed) spdlog::error("[#{}] the journal missed events: {}", id, flushed.error().describe());
    if (result.outcome == saga::Outcome::cancelled && d.draining_) {
      spdlog::info("[#{}] stopped for the shutdown; the next start resumes it", id);
      co_return;
    }
    ended = result.outcome;
    outcome = std::string(saga::to_string(result.outcome));
    reason = result.reason;
  }
  auto finished = co_await d.journal_->finish(id, outcome, reason, d.now());
  if (!finished) spdlog::error("[#{}] could not record its outcome: {}", id, finished.error().describe());
  d.metrics_.count_saga(metric_label(outcome));
  if (ended && holds_after(*ended)) {
    store::Hold hold;
    hold.target = request.target;
    hold.held_at = d.now();
    hold.reason = reason;
    hold.request = id;
    auto held = co_await d.journal_->hold(std::move(hold));
    if (!held) spdlog::error("[#{}] could not hold {}:{}: {}", id, request.target.image, request.target.tag,
                             held.error().describe());
    co_await d.count_holds();
  }
  spdlog::info("[#{}] {}:{} ended: {}{}{}", id, request.target.image, request.target.tag, outcome,
               reason.empty() ? "" : ": ", reason);
}

void Daemon::launch(store::RequestRecord request, std::optional<saga::Resume> resume) {
  const RequestId id = request.id;
  running_.insert(id);
  metrics_.set_running(running_.size());
  auto stop = stops_.emplace(stops_.end());
  stop_of_[id] = stop;
  auto done = [this, id](const std::exception_ptr& e) {
    running_.erase(id);
    metrics_.set_running(running_.size());
    if (auto it = stop_of_.find(id); it != stop_of_.end()) {
      stops_.erase(it->second);
      stop_of_.erase(it);
    }
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("[#{}] the saga threw: {}", id, ex.what());
      }
    }
    idle_.cancel();
    poke();  // a slot is free
  };
  asio::co_spawn(wiring_.io(), run_request(*this, std::move(request), std::move(resume)),
                 asio::bind_cancellation_slot(stop->slot(), std::move(done)));
}

// The previous process died with sagas running: put the clone back on the
// remote tip (dropping only what those sagas were about to push), then resume
// each from its last checkpoint.
asio::awaitable<bool> Daemon::recover() {
  auto unfinished = co_await journal_->unfinished();
  if (!unfinished) {
    spdlog::critical("serve: cannot read the unfinished sagas: {}", unfinished.error().describe());
    co_return false;
  }
  if (unfinished->empty()) co_return true;
  std::vector<std::string> own;
  for (const auto& u : *unfinished) {
    if (!u.resume.upgrade_subject.empty()) own.push_back(u.resume.upgrade_subject);
    if (u.resume.step == saga::Step::roll_back && !u.resume.subject.empty()) {
      // The revert's subject: "Revert \"<upgrade subject>\"".
      own.push_back("Revert \"" + u.resume.subject.substr(std::string("revert of ").size()) + "\"");
    }
  }
  auto recovered = co_await wiring_.recover_clone(own);
  if (!recovered) {
    spdlog::critical("serve: the clone cannot be put back on the remote tip: {}", recovered.error().describe());
    co_return false;
  }
  for (const auto& sha : *recovered) spdlog::warn("serve: dropped the unpushed commit {} of a saga that died", sha);
  for (auto& u : *unfinished) {
    auto resume = store::saga_resume(u.resume);
    spdlog::info("serve: request #{} ({}:{}) died at \"{}\"; {}", u.request.id, u.request.target.image,
                 u.request.target.tag, store::to_string(u.resume.point),
                 resume ? "resuming it" : u.resume.point == store::ResumePoint::report_sent ? "recording its outcome"
                                                                                           : "starting it over");
    if (!resume && u.resume.point == store::ResumePoint::report_sent) {
      // Everything was done and told; only the outcome was not recorded.
      const auto outcome = saga::outcome_named(u.resume.outcome).value_or(saga::Outcome::failed);
      std::string reason = "recorded after a restart";
      auto finished = co_await journal_->finish(u.request.id, std::string(saga::to_string(outcome)), reason, now());
      if (!finished) spdlog::error("[#{}] could not record its outcome: {}", u.request.id, finished.error().describe());
      if (holds_after(outcome)) {
        store::Hold hold;
        hold.target = u.request.target;
        hold.held_at = now();
        hold.reason = "rolled back before a restart";
        hold.request = u.request.id;
        auto held = co_await journal_->hold(std::move(hold));
        if (!held) spdlog::error("[#{}] could not hold it: {}", u.request.id, held.error().describe());
      }
      continue;
    }
    launch(u.request, std::move(resume));
  }
  co_return true;
}

// Takes queued requests, oldest first, while the concurrency limit and the
// rate-limit window allow; sleeps until poked or the window opens.
asio::awaitable<void> Daemon::dispatch() {
  const auto& settings = wiring_.settings();
  std::optional<RequestId> deferred;  // logged once per request
  while (!draining_) {
    poked_ = false;
    auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_poll);
    auto read_queue = [](store::Journal& j) { return j.queued(); };
    auto queued = co_await journal_->with(read_queue);
    if (!queued) {
      spdlog::error("serve: cannot read the queue: {}", queued.error().describe());
    } else {
      metrics_.set_queue_depth(queued->size());
      for (const auto& request : *queued) {
        if (draining_ || running_.size() >= std::max(1U, settings.max_concurrency)) break;
        if (running_.contains(request.id)) continue;
        auto start = co_await journal_->begin(request.id, settings.rate_limit, now());
        if (!start) {
          spdlog::error("serve: cannot start request #{}: {}", request.id, start.error().describe());
          break;
        }
        if (!start->started) {
          // The window is full: this one and every later one wait; none is dropped.
          const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(start->not_before - now());
          if (deferred != request.id) {
            metrics_.count_deferral();
            spdlog::info("serve: rate limit ({} starts per {} s): request #{} waits until {}", settings.rate_limit.count,
                         std::chrono::duration_cast<std::chrono::seconds>(settings.rate_limit.window).count(),
                         request.id, store::format_time(start->not_before));
            deferred = request.id;
          }
          sleep = std::clamp(wait, std::chrono::milliseconds(10), sleep);
          break;
        }
        store::RequestRecord running = request;
        running.state = store::RequestState::running;
        launch(std::move(running), std::nullopt);
      }
    }
    if (poked_ || draining_) continue;
    wake_.expires_after(sleep);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Daemon::count_holds() {
  auto holds = co_await journal_->holds();
  if (holds) metrics_.set_holds(holds->size());
}

void Daemon::on_signal(const boost::system::error_code& ec, int signal) {
  if (ec) return;
  ++signals_seen_;
  if (signals_seen_ > 1) {
    spdlog::warn("serve: signal {} again: exiting at once; the next start resumes", signal);
    wiring_.io().stop();
    return;
  }
  spdlog::info("serve: signal {}: taking no more requests, stopping {} saga(s) at their next checkpoint", signal,
               running_.size());
  draining_ = true;
  if (server_) server_->stop();
  poke();
  for (auto& s : stops_) s.emit(asio::cancellation_type::terminal);
  idle_.cancel();
  signals_.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });
}

asio::awaitable<int> Daemon::main() {
  const auto& settings = wiring_.settings();
  signals_.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });

  std::error_code made;
  std::filesystem::create_directories(settings.state_dir, made);
  if (made) {
    spdlog::critical("serve: cannot make the state directory {}: {}", settings.state_dir.string(), made.message());
    co_return 1;
  }
  auto lock = StateLock::take(settings.state_dir);
  if (!lock) {
    spdlog::critical("serve: {}", lock.error().describe());
    co_return 1;
  }
  auto opened = co_await store::AsyncJournal::open(store::journal_path(settings.state_dir), {}, wiring_.pool());
  if (!opened) {
    spdlog::critical("serve: {}", opened.error().describe());
    co_return 1;
  }
  journal_ = std::move(*opened);
  auto connected = co_await wiring_.connect();
  if (!connected) {
    spdlog::critical("serve: {}", connected.error().describe());
    co_return 2;
  }
  auto recovered = co_await recover();
  if (!recovered) co_return 1;

  co_await count_holds();

  // Held connections each take a file descriptor: the limit first, then the
  // connection cap under it.
  const auto files = raise_open_file_limit();
  spdlog::debug("serve: open-file limit {}", files);
  intake_ = std::make_unique<IntakeContext>(IntakeContext{
      *journal_, metrics_, options_.insecure_no_auth ? std::string() : settings.webhook_token.reveal(),
      settings.diun_statuses, wiring_.config(), [this] { poke(); }, [this] { return !draining_; }});
  net::Router router;
  add_intake_routes(router, *intake_);
  auto server_options = intake_server_options(options_.host, options_.port);
  server_ = std::make_unique<net::Server>(wiring_.io().get_executor(), std::move(router), std::move(server_options));
  auto port = server_->start();
  if (!port) {
    spdlog::critical("serve: cannot listen on {}:{}: {}", options_.host, options_.port, port.error().describe());
    draining_ = true;
    for (auto& s : stops_) s.emit(asio::cancellation_type::terminal);
  } else {
    spdlog::info("serve: listening on {}", server_->url());
    co_await dispatch();
  }

  // Draining: wait for the sagas to reach a checkpoint, at most the drain time.
  const auto until = core::Clock::now() + options_.drain;
  while (!running_.empty() && core::Clock::now() < until) {
    idle_.expires_at(until);
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!running_.empty()) spdlog::warn("serve: {} saga(s) still running at exit; the next start resumes them", running_.size());
  signals_.cancel();
  co_return port ? 0 : 1;
}

int serve(config::Settings settings, config::UpgradeConfig config, ServeOptions options) {
  Wiring wiring(std::move(settings), std::move(config));
  Daemon daemon(wiring, std::move(options));
  int code = 1;
  asio::co_spawn(wiring.io(), daemon.main(), [&](const std::exception_ptr& e, int result) {
    code = result;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::critical("serve: {}", ex.what());
        code = 1;
      }
    }
    wiring.io().stop();
  });
  wiring.io().run();
  if (daemon.abandoned()) {
    // Their frames would be torn down with adapters and locks already gone;
    // the journal is what the next start resumes from, and it is on disk (a
    // write in progress is rolled back, as after a kill).
    spdlog::shutdown();
    std::_Exit(code == 0 ? 1 : code);
  }
  return code;
}

}  // namespace ua::service
