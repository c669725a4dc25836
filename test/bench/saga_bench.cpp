// The saga's own cost, against the in-process sandbox (zero-latency
// simulators, zero-length windows, a real bare remote):
//
//   bench_saga overhead N     N sagas one after the other, alternating with N
//                             "raw" runs of the same port calls without the
//                             saga (decide, publish, wait for CI, pods,
//                             ingresses, health, monitor, two Slack posts), on
//                             stacks of their own. Prints both medians and the
//                             ratio saga / raw.
//   bench_saga concurrent N   N sagas on N stacks at once on one thread, next
//                             to one saga alone. Prints both wall times and the
//                             agent's resident memory above what it held
//                             before the sagas (the in-process sandbox's own
//                             growth included, so this overstates).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/world/sandbox.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/saga/saga.hpp"
#include "upgrade_agent/service/run_jobs.hpp"
#include "upgrade_agent/service/wiring.hpp"

namespace {

namespace asio = boost::asio;
using namespace ua;
using Ms = std::chrono::duration<double, std::milli>;

// UA_BENCH_VERBOSE=1 prints the events (to see why a run does not end).
struct Quiet final : saga::Observer {
  bool verbose = std::getenv("UA_BENCH_VERBOSE") != nullptr;
  void on_event(const saga::Event& e) override {
    if (verbose) std::cerr << e.job << " " << saga::to_string(e.step) << " " << saga::to_string(e.kind) << " " << e.detail << "\n";
  }
};

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

saga::Job job_for(const sandbox::SampleService& svc) {
  saga::Job j;
  j.id = svc.service;
  j.image = *core::parse_image_ref(svc.image);
  j.target_tag = svc.next;
  return j;
}

config::Environment fast(const sandbox::Sandbox& world) {
  auto base = world.environment();
  return [base](std::string_view name) -> std::optional<std::string> {
    if (name == "UPGRADE_AGENT_VERIFY_WINDOW_SAFE" || name == "UPGRADE_AGENT_VERIFY_WINDOW_CAUTION") return "1ms";  // the shortest window the settings take
    if (name == "UPGRADE_AGENT_CHECK_INTERVAL" || name == "UPGRADE_AGENT_CI_POLL_INTERVAL") return "1ms";
    if (name == "UPGRADE_AGENT_CEILING") return "10m";
    if (name == "UPGRADE_AGENT_CI_TIMEOUT") return "1m";
    return base(name);
  };
}

// The port calls one upgrade makes, without the saga around them.
asio::awaitable<bool> raw_upgrade(service::Wiring& wiring, const sandbox::SampleService& svc) {
  auto ports = wiring.ports();
  const auto deadline = core::Clock::now() + std::chrono::minutes(1);
  plan::DecisionRequest request;
  request.image = *core::parse_image_ref(svc.image);
  request.stack = svc.stacks.front();
  request.namespace_name = svc.namespace_name;
  request.current_tag = svc.current;
  request.target_tag = svc.next;
  request.config = wiring.config();
  auto decided = co_await ports.decider.decide(request, deadline);
  if (!decided) co_return false;
  const std::string file = "stacks/" + svc.stacks.front() + "/main.tf";
  ports::Publish publish;
  publish.message = "upgrade: " + svc.stacks.front() + " " + svc.current + " -> " + svc.next;
  publish.paths = {file};
  const std::string from = svc.image + ":" + svc.current;
  const std::string to = svc.image + ":" + svc.next;
  publish.edit = [file, from, to](const std::filesystem::path& worktree) {
    std::ifstream in(worktree / file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
    std::ofstream(worktree / file) << text;
  };
  auto pushed = co_await ports.git.publish(std::move(publish), deadline);
  if (!pushed) co_return false;
  auto ci = co_await ports.ci.wait_for_commit(pushed->sha, deadline, nullptr);
  if (!ci) co_return false;
  auto pods = co_await ports.cluster.list_pods(svc.namespace_name, svc.service, deadline);
  auto hosts = co_await ports.cluster.ingress_hosts(svc.namespace_name, deadline);
  if (!pods || !hosts || hosts->empty()) co_return false;
  auto http = co_await ports.http.check(hosts->front(), deadline);
  auto monitor = co_await ports.monitors.status(svc.service, *hosts, deadline);
  auto starting = co_await ports.notifier.post("[Upgrade Agent] Starting: raw " + svc.service, deadline);
  auto success = co_await ports.notifier.post("[Upgrade Agent] SUCCESS: raw " + svc.service, deadline);
  co_return http && monitor && starting && success;
}

int overhead(std::size_t n) {
  char dir[] = "/tmp/ua-bench-saga-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return 2;
  sandbox::SandboxOptions options;
  options.dir = dir;
  options.scenario = *sandbox::scenario_named("bench");
  options.filler_stacks = 2 * n;
  auto world = sandbox::Sandbox::start(options);
  if (!world) {
    std::cerr << world.error().describe() << "\n";
    return 2;
  }
  auto env = fast(**world);
  auto loaded = config::load_settings(std::nullopt, env);
  for (const auto& p : loaded.problems) std::cerr << "settings: " << p.where << ": " << p.message << "\n";
  if (config::has_errors(loaded.problems)) return 2;
  auto cfg = config::load_upgrade_config(loaded.settings.config_path());
  service::Wiring wiring(loaded.settings, *cfg.config);
  std::vector<sandbox::SampleService> fillers;
  for (const auto& svc : (*world)->services()) {
    if (svc.image.rfind("ghcr.io/example-org/", 0) == 0) fillers.push_back(svc);
  }
  std::vector<double> saga_ms;
  std::vector<double> raw_ms;
  int failures = 0;
  Quiet quiet;
  auto body = [&]() -> asio::awaitable<void> {
    auto connected = co_await wiring.connect();
    if (!connected) {
      std::cerr << connected.error().describe() << "\n";
      failures = 1000;
      co_return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto t0 = core::Clock::now();
      const bool raw_ok = co_await raw_upgrade(wiring, fillers[2 * i]);
      const auto t1 = core::Clock::now();
      auto result = co_await saga::run_upgrade(wiring.ports(), wiring.context(), job_for(fillers[2 * i + 1]), quiet);
      const auto t2 = core::Clock::now();
      failures += raw_ok ? 0 : 1;
      failures += result.outcome == saga::Outcome::upgraded ? 0 : 1;
      if (result.outcome != saga::Outcome::upgraded) std::cerr << "saga: " << result.reason << "\n";
      raw_ms.push_back(Ms(t1 - t0).count());
      saga_ms.push_back(Ms(t2 - t1).count());
    }
  };
  asio::co_spawn(wiring.io(), body(), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);
  });
  wiring.io().run();
  const double s = median(saga_ms);
  const double r = median(raw_ms);
  std::printf("saga overhead: %zu upgrades each; median %.1f ms per saga, %.1f ms for the same port calls without "
              "it; ratio %.2f; %d failures\n",
              n, s, r, r > 0 ? s / r : 0.0, failures);
  world->reset();
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}

int concurrent(std::size_t n) {
  char dir[] = "/tmp/ua-bench-saga-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return 2;
  sandbox::SandboxOptions options;
  options.dir = dir;
  options.scenario = *sandbox::scenario_named("bench");
  options.filler_stacks = n + 1;
  auto world = sandbox::Sandbox::start(options);
  if (!world) {
    std::cerr << world.error().describe() << "\n";
    return 2;
  }
  auto base = fast(**world);
  auto env = [base](std::string_view name) -> std::optional<std::string> {
    // A real window's rhythm, shortened: sagas overlap in their waits.
    if (name == "UPGRADE_AGENT_VERIFY_WINDOW_SAFE") return "2s";
    if (name == "UPGRADE_AGENT_CHECK_INTERVAL") return "500ms";
    if (name == "UPGRADE_AGENT_CI_POLL_INTERVAL") return "250ms";
    return base(name);
  };
  std::vector<saga::Job> jobs;
  std::vector<saga::Job> alone;
  for (const auto& svc : (*world)->services()) {
    if (svc.image.rfind("ghcr.io/example-org/", 0) != 0) continue;
    (alone.empty() ? alone : jobs).push_back(job_for(svc));
  }
  jobs.resize(std::min(jobs.size(), n));
  Quiet quiet;
  service::RunJobsOptions run_options;
  run_options.handle_signals = false;
  const auto one = service::run_jobs(env, alone, quiet, run_options);

  std::atomic<bool> sampling{true};
  std::atomic<long> peak{0};
  const long before = rss_kib();
  std::thread sampler([&] {
    while (sampling) {
      peak = std::max(peak.load(), rss_kib());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  run_options.concurrently = true;
  const auto many = service::run_jobs(env, jobs, quiet, run_options);
  sampling = false;
  sampler.join();
  std::size_t upgraded = 0;
  for (const auto& r : many.results) upgraded += r.outcome == saga::Outcome::upgraded ? 1U : 0U;
  const bool one_ok = !one.results.empty() && one.results.front().outcome == saga::Outcome::upgraded;
  std::printf("concurrent sagas: %zu at once on one thread: %zu upgraded in %.2f s (one alone: %.2f s, ratio %.2f); "
              "resident memory %.1f MiB before, peak %.1f MiB, %.1f MiB above (goal: 64 MiB)\n",
              jobs.size(), upgraded, Ms(many.elapsed).count() / 1000, Ms(one.elapsed).count() / 1000,
              one.elapsed.count() > 0 ? Ms(many.elapsed).count() / Ms(one.elapsed).count() : 0.0,
              static_cast<double>(before) / 1024, static_cast<double>(peak.load()) / 1024,
              static_cast<double>(peak.load() - before) / 1024);
  world->reset();
  std::filesystem::remove_all(dir);
  return upgraded == jobs.size() && one_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // the adapters' info lines would bury the result
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 0;
  if (mode == "overhead") return overhead(n == 0 ? 15 : n);
  if (mode == "concurrent") return concurrent(n == 0 ? 200 : n);
  std::cerr << "usage: bench_saga overhead [N] | concurrent [N]\n";
  return 2;
}
