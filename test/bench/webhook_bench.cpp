// Webhook intake on loopback under wrk (tools/bench.d/webhook):
//
//   bench_webhook [SECONDS] [CONNECTIONS]
//
// Serves the intake routes twice, one event-loop thread each time as the
// daemon does: with the journal (SQLite, WAL, synchronous=FULL, in a folder
// under $TMPDIR on this disk; admits by group commit) and with a ceiling
// handler that takes the same auth and parsing and answers 202 without the
// journal. wrk posts DIUN bodies with distinct tags (no duplicates) for
// SECONDS (default 10) over CONNECTIONS (default 64) connections. Prints
// accepted/s and p99 latency of both and their ratio, and checks that every
// accepted request is in the journal when read back from a new connection.
#include <boost/asio/io_context.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/service/intake.hpp"
#include "upgrade_agent/service/intake_rules.hpp"
#include "upgrade_agent/store/async_journal.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
using namespace ua;

constexpr const char* kToken = "bench-token";

// Each wrk thread counts its own requests; `id` (set in setup) keeps the
// threads' tags apart, so every request is a new target.
const char* kScript = R"lua(
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"diun_version":"4.28.0","hostname":"bench","status":"new","provider":"kubernetes",' ..
    '"image":"ghcr.io/bench/app:1.' .. id .. '.' .. counter .. '","hub_link":"https://github.com/bench/app",' ..
    '"mime_type":"application/vnd.oci.image.index.v1+json","digest":"sha256:6f0b3c1e8a2d4b7e9c0a1f2e3d4c5b6a7980f1e2d3c4b5a69788f7e6d5c4b3a2",' ..
    '"created":null,"platform":"linux/amd64","metadata":{"ctn_name":"app","pod_namespace":"bench"}}'
  return wrk.format("POST", "/webhook/diun", {["Authorization"] = "Bearer TOKEN", ["User-Agent"] = "diun/4.28.0"}, body)
end
)lua";

struct WrkResult {
  bool ok = false;
  double seconds = 0;
  double p99_ms = 0;
  long requests = 0;
  long non_2xx = 0;
  std::string text;
};

double to_ms(const std::string& v) {
  const double x = std::atof(v.c_str());
  if (v.ends_with("us")) return x / 1000;
  if (v.ends_with("ms")) return x;
  if (v.ends_with("m")) return x * 60000;
  if (v.ends_with("s")) return x * 1000;
  return x;
}

WrkResult run_wrk(const std::string& url, const std::string& script, int seconds, int connections) {
  int out[2];
  if (::pipe(out) != 0) return {};
  std::vector<std::string> args{"wrk", "-t2", "-c" + std::to_string(connections), "-d" + std::to_string(seconds) + "s",
                                "--latency", "--timeout", "10s", "-s", script, url};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, "wrk", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  WrkResult r;
  if (rc != 0) {
    ::close(out[0]);
    std::cerr << "webhook: cannot run wrk (apt-get install wrk; tools/setup installs it)\n";
    return r;
  }
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) r.text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::istringstream lines(r.text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "99%") {
      std::string v;
      words >> v;
      r.p99_ms = to_ms(v);
    } else if (line.find(" requests in ") != std::string::npos) {
      r.requests = std::atol(first.c_str());
      const auto at = line.find(" requests in ") + 13;
      r.seconds = to_ms(line.substr(at, line.find(',', at) - at)) / 1000;
    } else if (first == "Non-2xx") {
      std::string rest;
      words >> rest >> rest >> rest;  // "or 3xx responses: N"
      words >> rest;
      r.non_2xx = std::atol(rest.c_str());
    }
  }
  return r;
}

struct Run {
  WrkResult wrk;
  long accepted = 0;
  long on_disk = -1;  // journal mode: rows read back afterwards
  store::AsyncJournal::GroupStats groups;
};

// The same auth and parsing as the intake; answers 202 without the journal.
net::ServerResponse ceiling(std::atomic<long>& accepted, const net::ServerRequest& req) {
  if (!service::authorized(req.header("Authorization"), kToken)) return net::ServerResponse::json(401, "{}");
  service::IntakeRules rules;
  auto d = service::read_intake({service::Route::diun, req.header("Content-Type"), req.body}, rules);
  if (d.kind != service::IntakeDecision::Kind::admit) return net::ServerResponse::json(d.status, "{}");
  const long id = ++accepted;
  return net::ServerResponse::json(202, "{\"id\":" + std::to_string(id) + ",\"state\":\"queued\"}\n");
}

Run run(bool with_journal, const std::filesystem::path& dir, const std::string& script, int seconds, int connections) {
  Run out;
  asio::io_context io;
  runtime::BlockingPool pool{2};
  std::unique_ptr<store::AsyncJournal> journal;
  const auto file = dir / (with_journal ? "journal.sqlite3" : "unused.sqlite3");
  std::atomic<long> accepted{0};
  service::Metrics metrics("bench");
  config::UpgradeConfig config;
  net::Router router;
  std::unique_ptr<service::IntakeContext> ctx;
  if (with_journal) {
    auto opened = store::Journal::open(file);
    if (!opened) {
      std::cerr << opened.error().describe() << "\n";
      return out;
    }
    journal = std::make_unique<store::AsyncJournal>(std::move(*opened), pool);
    ctx = std::make_unique<service::IntakeContext>(service::IntakeContext{
        .journal = *journal, .metrics = metrics, .token = kToken, .diun_statuses = {"new", "update"},
        .config = config, .queued = [&accepted] { ++accepted; }, .ready = [] { return true; }});
    service::add_intake_routes(router, *ctx);
  } else {
    router.add("POST", "/webhook/diun", [&accepted](const net::ServerRequest& r) { return ceiling(accepted, r); });
  }
  auto options = service::intake_server_options("127.0.0.1", 0);
  net::Server server(io.get_executor(), std::move(router), options);
  auto port = server.start();
  if (!port) {
    std::cerr << port.error().describe() << "\n";
    return out;
  }
  auto guard = std::make_optional(asio::make_work_guard(io));
  std::thread loop([&io] { io.run(); });
  out.wrk = run_wrk(server.url() + "/webhook/diun", script, seconds, connections);
  // Drain, never io.stop(): an admit still on the pool must come back to the
  // loop, or its frame (holding the pool's strand) outlives the pool.
  asio::post(io, [&server] { server.stop(); });
  guard.reset();
  loop.join();
  pool.join();
  out.accepted = accepted.load();
  if (journal) {
    out.groups = journal->group_stats();
    journal.reset();
    auto reader = store::Journal::open(file);
    if (reader) {
      auto listed = reader->list(100000000);
      if (listed) out.on_disk = static_cast<long>(listed->size());
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // one info line per accepted request would be the benchmark
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 64;
  service::raise_open_file_limit();
  char tmpl[] = "/var/tmp/ua-bench-webhook-XXXXXX";  // /var/tmp: on disk, not a tmpfs
  const char* base = ::mkdtemp(tmpl);
  if (base == nullptr) return 2;
  const std::filesystem::path dir(base);
  std::string script = kScript;
  script.replace(script.find("TOKEN"), 5, kToken);
  const auto script_file = dir / "post.lua";
  std::ofstream(script_file) << script;

  const Run durable = run(true, dir, script_file.string(), seconds, connections);
  const Run ceiling_run = run(false, dir, script_file.string(), seconds, connections);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!durable.wrk.ok || !ceiling_run.wrk.ok || durable.wrk.seconds <= 0 || ceiling_run.wrk.seconds <= 0) {
    std::cerr << "webhook: wrk failed\n" << durable.wrk.text << ceiling_run.wrk.text;
    return 1;
  }
  const double journal_rate = static_cast<double>(durable.accepted) / durable.wrk.seconds;
  const double ceiling_rate = static_cast<double>(ceiling_run.accepted) / ceiling_run.wrk.seconds;
  std::printf("webhook intake, %d connections, %d s each, one event-loop thread, 2 wrk threads\n", connections, seconds);
  std::printf("  journal (synchronous=FULL, group commit): %8.0f accepted/s  p99 %7.2f ms  (%ld accepted, "
              "%zu transactions, %.1f admits each, %ld non-2xx)\n",
              journal_rate, durable.wrk.p99_ms, durable.accepted, durable.groups.transactions,
              durable.groups.transactions ? static_cast<double>(durable.groups.admits) / static_cast<double>(durable.groups.transactions) : 0.0,
              durable.wrk.non_2xx);
  std::printf("  ceiling (no journal):                     %8.0f accepted/s  p99 %7.2f ms  (%ld non-2xx)\n", ceiling_rate,
              ceiling_run.wrk.p99_ms, ceiling_run.wrk.non_2xx);
  std::printf("  journal / ceiling: %.2f of the throughput, %.1fx the p99; goal >= 2000 accepted/s: %s\n",
              journal_rate / ceiling_rate, durable.wrk.p99_ms / ceiling_run.wrk.p99_ms,
              journal_rate >= 2000 ? "met" : "NOT met");
  // More on disk than answered is fine: admits committed while the server
  // stopped, whose answers no client waited for. Fewer would be a lie.
  if (durable.on_disk < durable.accepted) {
    std::printf("  DURABILITY: %ld answered 202 but only %ld in the journal\n", durable.accepted, durable.on_disk);
    return 1;
  }
  std::printf("  every one of the %ld answered 202 is in the journal (%ld committed in all)\n", durable.accepted,
              durable.on_disk);
  return 0;
}
