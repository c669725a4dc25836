#pragma once
// The intake routes on a real net::Server on 127.0.0.1 with a journal in a
// scratch folder: curl (for DIUN's oddities, as a foreign client sends them)
// and net::Client (for the rest) talk to it while the test's loop serves.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "sandbox/curl_client.hpp"
#include "support/coro.hpp"
#include "support/temp_dir.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/runtime/blocking.hpp"
#include "upgrade_agent/service/intake.hpp"
#include "upgrade_agent/store/async_journal.hpp"

namespace ua::test {

inline constexpr const char* kToken = "s3cret-token-for-tests";

// DIUN's native body (contracts/diun-webhook.json) for `image` (with its tag) and `status`.
inline std::string diun_body(const std::string& image, const std::string& status = "new") {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/diun-webhook.json");
  std::stringstream text;
  text << in.rdbuf();
  auto doc = boost::json::parse(text.str());
  doc.as_object()["image"] = image;
  doc.as_object()["status"] = status;
  return boost::json::serialize(doc);
}

inline boost::json::object json_of(const std::string& body) {
  std::error_code ec;
  auto v = boost::json::parse(body, ec);
  BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "not a JSON object: " + body);
  return v.as_object();
}

struct IntakeFixture {
  ScratchDir dir{"ua-intake-"};
  ServingLoop loop;
  runtime::BlockingPool pool{2};
  std::unique_ptr<store::AsyncJournal> journal;
  service::Metrics metrics{"9.9.9-test"};
  config::UpgradeConfig config;
  std::unique_ptr<service::IntakeContext> ctx;
  std::unique_ptr<net::Server> server;
  std::unique_ptr<net::Client> client;
  int woken = 0;
  bool ready = true;

  explicit IntakeFixture(std::string token = kToken, net::ServerOptions options = service::intake_server_options("127.0.0.1", 0)) {
    config.skip_image_patterns = {"*postgres*"};
    auto opened = run_expected(loop.io, store::AsyncJournal::open(dir.path() / store::kJournalFile, {}, pool));
    BOOST_REQUIRE_MESSAGE(opened.has_value(), (opened ? std::string() : opened.error().describe()));
    journal = std::move(*opened);
    ctx = std::make_unique<service::IntakeContext>(service::IntakeContext{
        .journal = *journal,
        .metrics = metrics,
        .token = std::move(token),
        .diun_statuses = {"new", "update"},
        .config = config,
        .queued = [this] { ++woken; },
        .ready = [this] { return ready; },
    });
    net::Router router;
    service::add_intake_routes(router, *ctx);
    server = std::make_unique<net::Server>(loop.io.get_executor(), std::move(router), std::move(options));
    BOOST_REQUIRE(server->start());
    net::ClientOptions once;
    once.max_attempts = 1;  // every answer seen as the server gave it (a 503 is not retried)
    client = std::make_unique<net::Client>(loop.io.get_executor(), once);
  }
  IntakeFixture(const IntakeFixture&) = delete;
  IntakeFixture& operator=(const IntakeFixture&) = delete;
  ~IntakeFixture() {
    client.reset();
    server->stop();
    loop.io.restart();
    loop.io.poll();
    pool.join();
  }

  [[nodiscard]] std::string url(const std::string& path) const { return server->url() + path; }

  // curl with the token (unless `auth` is false), `args` before the URL.
  CurlAnswer curl(const std::string& path, std::vector<std::string> args, bool auth = true) {
    if (auth) {
      args.emplace_back("-H");
      args.push_back(std::string("Authorization: Bearer ") + kToken);
    }
    args.push_back(url(path));
    return loop.curl(std::move(args));
  }

  net::Response call(const std::string& method, const std::string& path, std::string body = {},
                     bool auth = true) {
    net::Request r;
    r.method = method;
    r.url = url(path);
    r.body = std::move(body);
    if (!r.body.empty()) r.headers.set("Content-Type", "application/json");
    if (auth) r.headers.set("Authorization", std::string("Bearer ") + kToken);
    auto result = run_expected(loop.io, client->request(std::move(r)));
    BOOST_REQUIRE_MESSAGE(result.has_response(), (result ? std::string() : result.failure().message));
    return std::move(result).response();
  }

  std::vector<store::RequestRecord> history() {
    auto listed = run_expected(loop.io, journal->list(1000));
    BOOST_REQUIRE(listed.has_value());
    return std::move(*listed);
  }
};

}  // namespace ua::test
