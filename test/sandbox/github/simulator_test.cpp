// The simulator speaks the contracts' shapes (../shared/contracts/github-*.json).
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "net/support.hpp"
#include "sandbox/github/github_simulator.hpp"
#include "upgrade_agent/net/client.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace sim = ua::sandbox::github;
using ua::test::run_coro;

namespace {

json::value contract(const std::string& name) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

void expect_keys_of(const json::object& sample, const json::object& actual) {
  for (const auto& [key, value] : sample) {
    BOOST_TEST(actual.contains(key), "missing key " << key);
    if (!actual.contains(key)) continue;
    const auto& a = actual.at(key);
    const bool same_kind = a.kind() == value.kind() || a.is_null() || value.is_null() ||
                           (a.is_number() && value.is_number());
    BOOST_TEST(same_kind, "key " << key << " has another JSON type");
  }
}

struct Fixture {
  asio::io_context io;
  sim::Simulator simulator{io.get_executor(), sim::default_scenario()};
  ua::net::Client client{io.get_executor()};
  Fixture() { BOOST_REQUIRE(simulator.start()); }
  ~Fixture() {
    simulator.stop();
    io.restart();
    io.poll();
  }
  ua::net::Response get(const std::string& path, bool follow = true) {
    ua::net::RequestOptions o;
    o.follow_redirects = follow;
    auto r = run_coro(io, client.get(simulator.url() + path, {}, o));
    BOOST_REQUIRE(r.has_response());
    return r.response();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(github_simulator, Fixture)

BOOST_AUTO_TEST_CASE(repository_and_not_found_shapes) {
  auto r = get("/repos/Dani-Garcia/Vaultwarden");  // names are case-insensitive
  BOOST_TEST(r.status == 200);
  const auto body = json::parse(r.body).as_object();
  expect_keys_of(contract("github-repo.json").as_object(), body);
  BOOST_TEST(body.at("full_name").as_string() == "dani-garcia/vaultwarden");
  auto missing = get("/repos/nobody/nothing");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(json::parse(missing.body).at("message").as_string() == "Not Found");
}

BOOST_AUTO_TEST_CASE(releases_have_the_contract_fields_and_order) {
  auto r = get("/repos/coturn/coturn/releases?per_page=100&page=1");
  BOOST_TEST(r.status == 200);
  const auto items = json::parse(r.body).as_array();
  BOOST_REQUIRE_EQUAL(items.size(), 5U);
  const auto sample = contract("github-releases.json").as_array();
  for (const auto& item : items) expect_keys_of(sample.at(0).as_object(), item.as_object());
  BOOST_TEST(items.at(0).at("tag_name").as_string() == "4.10.0");
  BOOST_TEST(items.at(4).at("draft").as_bool());
  BOOST_TEST(items.at(4).at("published_at").is_null());
  BOOST_TEST(items.at(1).at("prerelease").as_bool());
  BOOST_TEST(!r.header("Link"));  // one page only
}

BOOST_AUTO_TEST_CASE(pagination_and_link_headers) {
  simulator.scenario().repos.push_back(sim::Repo{"acme/big", 777, sim::numbered_releases(250), std::nullopt});
  auto first = get("/repos/acme/big/releases");
  BOOST_TEST(json::parse(first.body).as_array().size() == 30U);  // GitHub's default per_page
  auto p1 = get("/repos/acme/big/releases?per_page=500&page=1");
  BOOST_TEST(json::parse(p1.body).as_array().size() == 100U);  // at most 100
  BOOST_TEST(p1.header("Link").value() ==
             "<" + simulator.url() + "/repositories/777/releases?per_page=100&page=2>; rel=\"next\", <" +
                 simulator.url() + "/repositories/777/releases?per_page=100&page=3>; rel=\"last\"");
  auto p3 = get("/repositories/777/releases?per_page=100&page=3");
  const auto last = json::parse(p3.body).as_array();
  BOOST_TEST(last.size() == 50U);
  BOOST_TEST(last.back().at("tag_name").as_string() == "v1.0.0");
  BOOST_TEST(p3.header("Link")->find("rel=\"next\"") == std::string::npos);
  BOOST_TEST(p3.header("Link")->find("rel=\"prev\"") != std::string::npos);
  BOOST_TEST(json::parse(get("/repositories/777/releases?per_page=100&page=9").body).as_array().empty());
}

BOOST_AUTO_TEST_CASE(renamed_repository_answers_301) {
  simulator.scenario().renamed["old/coturn"] = "coturn/coturn";
  auto r = get("/repos/old/coturn/releases?per_page=10", false);
  BOOST_TEST(r.status == 301);
  BOOST_TEST(r.header("Location")->find("/repositories/") != std::string::npos);
  BOOST_TEST(r.header("Location")->find("/releases?per_page=10") != std::string::npos);
  auto followed = get("/repos/old/coturn");
  BOOST_TEST(followed.status == 200);
  BOOST_TEST(json::parse(followed.body).at("full_name").as_string() == "coturn/coturn");
}

BOOST_AUTO_TEST_CASE(contents_are_base64_with_newlines) {
  auto r = get("/repos/example/app/contents/CHANGELOG.md");
  BOOST_TEST(r.status == 200);
  const auto body = json::parse(r.body).as_object();
  expect_keys_of(contract("github-contents.json").as_object(), body);
  const auto& content = body.at("content").as_string();
  BOOST_TEST(std::string_view(content).find('\n') != std::string_view::npos);
  // The contract's own file is the same text, encoded the same way.
  BOOST_TEST(content == contract("github-contents.json").at("content").as_string());
  BOOST_TEST(get("/repos/coturn/coturn/contents/CHANGELOG.md").status == 404);
}

BOOST_AUTO_TEST_CASE(rate_limited_answers) {
  simulator.scenario().faults.rate_limited = 1;
  auto r = get("/repos/coturn/coturn");
  BOOST_TEST(r.status == 403);
  BOOST_TEST(r.header("x-ratelimit-remaining").value() == "0");
  const auto reset = std::stoll(r.header("x-ratelimit-reset").value());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  BOOST_TEST(reset >= now);
  expect_keys_of(contract("github-rate-limited.json").as_object(), json::parse(r.body).as_object());
  BOOST_TEST(get("/repos/coturn/coturn").status == 200);  // only the first
}

BOOST_AUTO_TEST_CASE(faults_and_request_log) {
  simulator.scenario().faults.server_errors = 1;
  simulator.scenario().faults.malformed.push_back("/repos/coturn/coturn/releases");
  ua::net::RequestOptions once;
  once.idempotent = false;  // see the 500 itself, not the client's retry
  auto r = run_coro(io, client.get(simulator.url() + "/repos/coturn/coturn", {}, once));
  BOOST_TEST(r->status == 500);
  auto broken = get("/repos/coturn/coturn/releases");
  boost::system::error_code ec;
  json::parse(broken.body, ec);
  BOOST_TEST(ec.failed());
  BOOST_TEST(simulator.log().size() == 2U);
  BOOST_TEST(simulator.count("/repos/coturn/coturn/releases") == 1U);
}

BOOST_AUTO_TEST_CASE(base64_lines) {
  BOOST_TEST(sim::encode_base64("hi", 0) == "aGk=");
  BOOST_TEST(sim::encode_base64("abc", 0) == "YWJj");
  BOOST_TEST(sim::encode_base64(std::string(90, 'a'), 60).find('\n') == 60U);
}

BOOST_AUTO_TEST_SUITE_END()
