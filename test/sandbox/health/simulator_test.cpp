// The ingress hosts' simulator as curl sees it: reached by host name through
// --connect-to (as UPGRADE_AGENT_CONNECT_TO does for the agent), over TLS
// verified against the simulator's CA, each host with its own answer:
// statuses, redirects, a host that never answers, unknown hosts.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "sandbox/curl_client.hpp"
#include "sandbox/health/health_simulator.hpp"

namespace sim = ua::sandbox::health;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ua::test::CurlAnswer;

namespace {

const std::vector<std::string> kHosts{"immich.example.org", "vault.example.org", "old.example.org", "quiet.example.org"};

struct World {
  ua::test::ServingLoop loop;
  sim::Simulator front;
  fs::path ca_file = fs::temp_directory_path() / ("ua-health-ca-" + std::to_string(::getpid()) + ".pem");
  explicit World(bool tls = true) : front(loop.io.get_executor(), sim::Options{kHosts, tls}) {
    BOOST_REQUIRE(front.start());
    if (tls) std::ofstream(ca_file) << front.ca_pem();
  }
  ~World() {
    front.stop();
    loop.io.restart();
    loop.io.poll();
    std::error_code ec;
    fs::remove(ca_file, ec);
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // curl https://HOST/PATH with every host sent to the simulator, checked against its CA.
  CurlAnswer get(const std::string& host, const std::string& path = "/", std::vector<std::string> extra = {}) {
    const bool tls = front.scheme() == "https";
    const std::string from = tls ? "443" : "80";
    std::vector<std::string> args;
    for (const auto& h : kHosts) {
      args.emplace_back("--connect-to");
      args.push_back(h + ":" + from + ":127.0.0.1:" + std::to_string(front.port()));
    }
    if (tls) {
      args.emplace_back("--cacert");
      args.push_back(ca_file.string());
    }
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(front.scheme() + "://" + host + path);
    return loop.curl(std::move(args));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(each_host_answers_its_own_status_over_verified_tls) {
  World w;
  w.front.set("immich.example.org", sim::Answer::ok());
  w.front.set("vault.example.org", sim::Answer::status_only(503));
  w.front.set("vault.example.org", "/alive", sim::Answer::status_only(401));
  auto immich = w.get("immich.example.org");
  BOOST_TEST(immich.exit_code == 0, immich.err);
  BOOST_TEST(immich.status == 200);
  BOOST_TEST(immich.body == "ok\n");
  BOOST_TEST(w.get("vault.example.org").status == 503);
  BOOST_TEST(w.get("vault.example.org", "/alive").status == 401);
  BOOST_TEST(w.get("vault.example.org", "/other").status == 404);  // no answer set for that path
  // A host the certificate names but nobody configured: the default backend.
  auto unknown = w.get("old.example.org");
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(unknown.body == "default backend - 404");
  // The simulator tells hosts apart by the Host header, as an ingress does.
  const auto& log = w.front.requests();
  BOOST_REQUIRE_EQUAL(log.size(), 5U);
  BOOST_TEST(log[0].host == "immich.example.org");
  BOOST_TEST(log[0].status == 200);
  BOOST_TEST(log[2].path == "/alive");
  BOOST_TEST(w.front.count("vault.example.org") == 3U);
}

BOOST_AUTO_TEST_CASE(the_certificate_names_each_host_and_only_those) {
  World w;
  w.front.set("immich.example.org", sim::Answer::ok());
  // Without the simulator's CA the certificate is not trusted.
  auto untrusted = w.loop.curl({"--connect-to", "immich.example.org:443:127.0.0.1:" + std::to_string(w.front.port()),
                                "https://immich.example.org/"});
  BOOST_TEST(untrusted.exit_code == 60, untrusted.err);
  // A name it does not carry fails the host check.
  auto other = w.loop.curl({"--connect-to", "elsewhere.example.org:443:127.0.0.1:" + std::to_string(w.front.port()),
                            "--cacert", w.ca_file.string(), "https://elsewhere.example.org/"});
  BOOST_TEST(other.exit_code == 60, other.err);
  BOOST_TEST(w.front.requests().empty());
}

BOOST_AUTO_TEST_CASE(redirects_carry_their_location_and_can_be_followed) {
  World w;
  w.front.set("old.example.org", sim::Answer::redirect(301, "https://immich.example.org/start"));
  w.front.set("immich.example.org", "/start", sim::Answer::redirect(302, "/login"));
  w.front.set("immich.example.org", "/login", sim::Answer::ok());
  auto first = w.get("old.example.org");
  BOOST_TEST(first.status == 301);
  BOOST_TEST(first.header("location") == "https://immich.example.org/start");
  auto followed = w.get("old.example.org", "/", {"-L", "--max-redirs", "3"});
  BOOST_TEST(followed.exit_code == 0, followed.err);
  BOOST_TEST(followed.status == 200);
  BOOST_TEST(followed.body == "ok\n");
  // A loop is a loop: curl gives up after its limit, as the agent's client does after 3.
  w.front.set("vault.example.org", sim::Answer::redirect(302, "https://vault.example.org/again"));
  w.front.set("vault.example.org", "/again", sim::Answer::redirect(302, "https://vault.example.org/"));
  auto looping = w.get("vault.example.org", "/", {"-L", "--max-redirs", "3"});
  BOOST_TEST(looping.exit_code == 47, looping.err);  // CURLE_TOO_MANY_REDIRECTS
  BOOST_TEST(w.front.count("vault.example.org") == 4U);
}

BOOST_AUTO_TEST_CASE(a_silent_host_times_out_and_a_slow_one_answers_late) {
  World w;
  w.front.set("quiet.example.org", sim::Answer::silent());
  sim::Answer slow = sim::Answer::ok();
  slow.delay = 300ms;
  w.front.set("immich.example.org", slow);
  auto quiet = w.get("quiet.example.org", "/", {"--max-time", "1"});
  BOOST_TEST(quiet.exit_code == 28, quiet.err);  // CURLE_OPERATION_TIMEDOUT
  BOOST_TEST(quiet.status == 0);
  BOOST_TEST(quiet.seconds >= 0.9);
  BOOST_TEST(quiet.seconds < 3.0);
  BOOST_REQUIRE_EQUAL(w.front.requests().size(), 1U);
  BOOST_TEST(w.front.requests()[0].status == 0);  // read, never answered
  auto late = w.get("immich.example.org");
  BOOST_TEST(late.status == 200);
  BOOST_TEST(late.seconds >= 0.29);
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_has_no_answer) {
  World w;
  sim::Answer drop;
  drop.drop = true;
  w.front.set("vault.example.org", drop);
  auto a = w.get("vault.example.org");
  BOOST_TEST(a.exit_code == 52, a.err);  // CURLE_GOT_NOTHING
  BOOST_TEST(a.status == 0);
}

BOOST_AUTO_TEST_CASE(plain_http_and_the_connect_to_setting) {
  World w(false);
  w.front.set("immich.example.org", sim::Answer::status_only(502));
  BOOST_TEST(w.front.scheme() == "http");
  auto a = w.get("immich.example.org");
  BOOST_TEST(a.status == 502);
  const std::string port = std::to_string(w.front.port());
  BOOST_TEST(w.front.connect_to_setting() ==
             "immich.example.org:80:127.0.0.1:" + port + ",vault.example.org:80:127.0.0.1:" + port +
                 ",old.example.org:80:127.0.0.1:" + port + ",quiet.example.org:80:127.0.0.1:" + port);
}
