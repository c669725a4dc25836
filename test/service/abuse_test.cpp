// The intake under abuse (issue 12, "Speed and abuse"): held connections by
// the ten thousand, slow headers and slow bodies. The server runs on a loop
// thread of its own, as in the daemon; the abusers are a Python child (its
// own descriptor limit) and /healthz is asked with curl meanwhile.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <optional>
#include <thread>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/service/intake.hpp"

namespace ua::test {
namespace {

namespace asio = boost::asio;

const std::string kHolder = std::string(UA_SOURCE_DIR) + "/test/service/hold_connections.py";

struct LiveServer {
  asio::io_context io;  // first: destroyed last, after everything that posts to it
  ScratchDir dir{"ua-abuse-"};
  runtime::BlockingPool pool{2};
  std::unique_ptr<store::AsyncJournal> journal;
  service::Metrics metrics{"abuse"};
  config::UpgradeConfig config;
  std::unique_ptr<service::IntakeContext> ctx;
  std::unique_ptr<net::Server> server;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{asio::make_work_guard(io)};
  std::thread loop;

  explicit LiveServer(net::ServerOptions options) {
    auto opened = store::Journal::open(dir.path() / store::kJournalFile);
    BOOST_REQUIRE(opened.has_value());
    journal = std::make_unique<store::AsyncJournal>(std::move(*opened), pool);
    ctx = std::make_unique<service::IntakeContext>(service::IntakeContext{
        .journal = *journal, .metrics = metrics, .token = "t", .diun_statuses = {"new", "update"}, .config = config,
        .queued = [] {}, .ready = [] { return true; }});
    net::Router router;
    service::add_intake_routes(router, *ctx);
    server = std::make_unique<net::Server>(io.get_executor(), std::move(router), std::move(options));
    BOOST_REQUIRE(server->start());
    loop = std::thread([this] { io.run(); });
  }
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;
  ~LiveServer() {
    // Drained, not stopped: every session and journal call ends on the loop
    // before the pool that journal calls return from goes away.
    asio::post(io, [this] { server->stop(); });
    guard.reset();
    loop.join();
    pool.join();
  }

  // Reads the server's counters on its own thread.
  std::pair<std::size_t, std::size_t> open_and_evicted() {
    std::promise<std::pair<std::size_t, std::size_t>> p;
    auto f = p.get_future();
    asio::post(io, [&] { p.set_value({server->connections_open(), server->connections_evicted()}); });
    return f.get();
  }
};

struct Probe {
  int status = 0;
  double seconds = 0;
};

Probe healthz(const LiveServer& s) {
  const auto start = std::chrono::steady_clock::now();
  auto r = run_child("/usr/bin/curl", {"-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", s.server->url() + "/healthz"},
                     {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"});
  Probe p;
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.status = std::atoi(r.out.c_str());
  return p;
}

void healthz_answers_within_a_second(const LiveServer& s, const std::string& when) {
  for (int i = 0; i < 3; ++i) {
    const auto p = healthz(s);
    BOOST_TEST(p.status == 200);
    BOOST_TEST(p.seconds < 1.0, "/healthz " << when << " took " << p.seconds << " s");
    BOOST_TEST_MESSAGE("/healthz " << when << ": " << p.seconds << " s");
  }
}

long number_after(const std::string& line, const std::string& word) {
  const auto at = line.find(word + " ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no '" + word + "' in '" + line + "'");
  return std::atol(line.c_str() + at + word.size() + 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(abuse)

BOOST_AUTO_TEST_CASE(ten_thousand_held_connections_and_healthz_still_answers) {
  constexpr long kHeld = 10000;
  const auto limit = service::raise_open_file_limit();
  if (limit < kHeld + 512) {
    BOOST_TEST_MESSAGE("skipped: the open-file hard limit is " << limit << "; holding " << kHeld
                                                                << " connections needs at least " << kHeld + 512);
    return;
  }
  auto options = service::intake_server_options("127.0.0.1", 0);
  BOOST_TEST(options.max_connections >= static_cast<std::size_t>(kHeld));
  LiveServer s(options);
  BackgroundChild holder("/usr/bin/python3", {kHolder, std::to_string(s.server->port()), std::to_string(kHeld), "8", "slow-header"}, {});
  const auto connected = holder.read_line(60000);
  BOOST_REQUIRE_MESSAGE(connected.has_value(), holder.err());
  BOOST_TEST(number_after(*connected, "connected") == kHeld);
  const auto start = std::chrono::steady_clock::now();
  while (s.open_and_evicted().first < static_cast<std::size_t>(kHeld) &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(s.open_and_evicted().first >= static_cast<std::size_t>(kHeld));
  healthz_answers_within_a_second(s, "with 10000 held");
  const auto done = holder.read_line(60000);
  BOOST_REQUIRE(done.has_value());
  // The server survived them: once their closes are processed, it answers as before.
  const auto gone = std::chrono::steady_clock::now();
  while (s.open_and_evicted().first > 0 && std::chrono::steady_clock::now() - gone < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(s.open_and_evicted().first == 0U);
  healthz_answers_within_a_second(s, "after they went away");
}

BOOST_AUTO_TEST_CASE(at_max_connections_the_oldest_waiting_connection_is_closed) {
  auto options = service::intake_server_options("127.0.0.1", 0);
  options.max_connections = 300;
  LiveServer s(options);
  BackgroundChild holder("/usr/bin/python3", {kHolder, std::to_string(s.server->port()), "2000", "4", "idle"}, {});
  const auto connected = holder.read_line(60000);
  BOOST_REQUIRE_MESSAGE(connected.has_value(), holder.err());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  healthz_answers_within_a_second(s, "at the cap");
  const auto [open, evicted] = s.open_and_evicted();
  BOOST_TEST(open <= 300U);
  BOOST_TEST(evicted >= 1700U);
  const auto done = holder.read_line(60000);
  BOOST_REQUIRE(done.has_value());
  BOOST_TEST(number_after(*done, "closed") >= 1700);
}

BOOST_AUTO_TEST_CASE(slow_headers_and_slow_bodies_are_cut_off_at_their_timeouts) {
  auto options = service::intake_server_options("127.0.0.1", 0);
  options.header_timeout = std::chrono::seconds(2);
  options.body_timeout = std::chrono::seconds(2);
  LiveServer s(options);
  for (const char* mode : {"slow-body", "slow-header"}) {
    BackgroundChild holder("/usr/bin/python3", {kHolder, std::to_string(s.server->port()), "200", "6", mode}, {});
    const auto connected = holder.read_line(60000);
    BOOST_REQUIRE_MESSAGE(connected.has_value(), holder.err());
    BOOST_TEST(number_after(*connected, "connected") == 200);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    healthz_answers_within_a_second(s, mode);
    const auto done = holder.read_line(60000);
    BOOST_REQUIRE(done.has_value());
    // A byte a second never makes the request: the server hung up on every one.
    BOOST_TEST(number_after(*done, "open") == 0, mode);
    BOOST_TEST(number_after(*done, "closed") == 200, mode);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ua::test
