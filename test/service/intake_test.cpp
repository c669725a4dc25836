// The intake as DIUN and people really call it (issue 12, "Intake, as DIUN
// really sends it"): every answer's status and JSON, and what reached the journal.
#include <boost/test/unit_test.hpp>
#include <sys/resource.h>

#include "service/intake_fixture.hpp"
#include "upgrade_agent/service/intake_rules.hpp"

namespace ua::test {

BOOST_AUTO_TEST_SUITE(intake_rules)

BOOST_AUTO_TEST_CASE(token_compare_is_exact) {
  BOOST_TEST(service::token_matches("abc", "abc"));
  BOOST_TEST(!service::token_matches("abd", "abc"));
  BOOST_TEST(!service::token_matches("ab", "abc"));
  BOOST_TEST(!service::token_matches("abcd", "abc"));
  BOOST_TEST(!service::token_matches("", "abc"));
  BOOST_TEST(service::token_matches("", ""));
  const std::string with_nul("ab\0c", 4);
  BOOST_TEST(!service::token_matches(with_nul, "ab"));
}

BOOST_AUTO_TEST_CASE(bearer_header_forms) {
  using service::authorized;
  BOOST_TEST(authorized(std::string("Bearer tok"), "tok"));
  BOOST_TEST(authorized(std::string("bearer tok"), "tok"));  // the scheme is case-insensitive
  BOOST_TEST(authorized(std::string("  BEARER   tok  "), "tok"));
  BOOST_TEST(!authorized(std::string("Basic tok"), "tok"));
  BOOST_TEST(!authorized(std::string("Bearer"), "tok"));
  BOOST_TEST(!authorized(std::string("tok"), "tok"));
  BOOST_TEST(!authorized(std::nullopt, "tok"));
  BOOST_TEST(authorized(std::nullopt, ""));  // --insecure-no-auth
}

BOOST_AUTO_TEST_CASE(content_types_forms_and_policy) {
  using Kind = service::IntakeDecision::Kind;
  service::IntakeRules rules;
  rules.skip_image_patterns = {"*postgres*"};
  const auto body = diun_body("ghcr.io/immich-app/immich-server:v2.8.0");
  auto read = [&](std::optional<std::string> type, std::string_view text, service::Route route = service::Route::diun) {
    return service::read_intake({route, std::move(type), text}, rules);
  };
  BOOST_TEST(static_cast<int>(read(std::nullopt, body).kind) == static_cast<int>(Kind::admit));
  BOOST_TEST(static_cast<int>(read(std::string("application/json; charset=utf-8"), body).kind) == static_cast<int>(Kind::admit));
  BOOST_TEST(static_cast<int>(read(std::string("Application/JSON"), body).kind) == static_cast<int>(Kind::admit));
  for (const char* type : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"}) {
    const auto d = read(std::string(type), body);
    BOOST_TEST(static_cast<int>(d.kind) == static_cast<int>(Kind::invalid));
    BOOST_TEST(d.status == 415);
    BOOST_TEST(d.reason.find("application/json") != std::string::npos, d.reason);
  }
  const auto flat = R"({"image": "vaultwarden/server", "new_tag": "1.35.7"})";
  BOOST_TEST(read(std::nullopt, flat).status == 400);
  BOOST_TEST(read(std::nullopt, flat).reason.find("/v1/upgrades") != std::string::npos);
  BOOST_TEST(static_cast<int>(read(std::nullopt, flat, service::Route::api).kind) == static_cast<int>(Kind::admit));
  BOOST_TEST(read(std::nullopt, body, service::Route::api).status == 400);
  BOOST_TEST(read(std::nullopt, "").reason.find("empty body") != std::string::npos);

  const auto skipped = read(std::nullopt, diun_body("docker.io/library/postgres:17.2"));
  BOOST_TEST(static_cast<int>(skipped.kind) == static_cast<int>(Kind::refused));
  BOOST_TEST(skipped.reason.find("skip pattern '*postgres*'") != std::string::npos, skipped.reason);
  const auto latest = read(std::nullopt, diun_body("vaultwarden/server:latest"));
  BOOST_TEST(static_cast<int>(latest.kind) == static_cast<int>(Kind::refused));
  BOOST_TEST(latest.reason.find("'latest'") != std::string::npos);
  const auto stable = read(std::nullopt, diun_body("vaultwarden/server:stable"));
  BOOST_TEST(static_cast<int>(stable.kind) == static_cast<int>(Kind::refused));
  const auto unchanged = read(std::nullopt, diun_body("vaultwarden/server:1.35.7", "unchange"));
  BOOST_TEST(static_cast<int>(unchanged.kind) == static_cast<int>(Kind::ignored));
  BOOST_TEST(unchanged.reason.find("'unchange' is not one of new, update") != std::string::npos, unchanged.reason);
}

BOOST_AUTO_TEST_CASE(server_options_fit_the_open_file_limit) {
  rlimit before{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
  const auto soft = service::raise_open_file_limit();
  BOOST_TEST(soft >= before.rlim_cur);
  BOOST_TEST(soft == before.rlim_max);  // raised to the hard limit
  const auto o = service::intake_server_options("127.0.0.1", 8080);
  BOOST_TEST(o.max_body_bytes == 65536U);
  BOOST_TEST(o.json_errors);
  BOOST_TEST(o.port == 8080);
  BOOST_TEST(o.max_connections >= 64U);
  BOOST_TEST(o.max_connections < soft);  // room left for the journal, clients and the pool
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(intake_curl, IntakeFixture)

BOOST_AUTO_TEST_CASE(diun_get_with_a_body_and_no_content_type_is_queued_on_disk) {
  const auto body = diun_body("ghcr.io/immich-app/immich-server:v2.8.0");
  // DIUN's default: GET, the JSON body, no Content-Type, its User-Agent.
  const auto a = curl("/webhook/diun", {"-X", "GET", "--data-binary", body, "-H", "Content-Type:", "-A", "diun/4.28.0"});
  BOOST_TEST_REQUIRE(a.status == 202, a.body);
  const auto doc = json_of(a.body);
  BOOST_TEST(doc.at("state").as_string() == "queued");
  const auto id = doc.at("id").as_int64();
  BOOST_TEST(woken == 1);
  // On disk: a second connection to the file sees it.
  auto other = store::Journal::open(dir.path() / store::kJournalFile);
  BOOST_REQUIRE(other.has_value());
  auto record = other->find(id);
  BOOST_REQUIRE(record.has_value());
  BOOST_TEST(record->request.target.image == "ghcr.io/immich-app/immich-server");
  BOOST_TEST(record->request.target.tag == "v2.8.0");
  BOOST_TEST(record->request.source == "diun");
  BOOST_TEST(record->request.hub_link == "https://github.com/immich-app/immich/pkgs/container/immich-server");

  // The same again (DIUN's next scan): 200 with the existing id, nothing new.
  const auto again = curl("/webhook/diun", {"-X", "POST", "--data-binary", body, "-H", "Content-Type: application/json"});
  BOOST_TEST(again.status == 200);
  const auto dup = json_of(again.body);
  BOOST_TEST(dup.at("state").as_string() == "duplicate");
  BOOST_TEST(dup.at("id").as_int64() == id);
  BOOST_TEST(history().size() == 1U);
  BOOST_TEST(woken == 1);
}

BOOST_AUTO_TEST_CASE(null_metadata_and_created_are_accepted) {
  auto doc = json_of(diun_body("vaultwarden/server:1.35.7"));
  doc["metadata"] = nullptr;
  doc["created"] = nullptr;
  const auto a = curl("/webhook/diun", {"--data-binary", boost::json::serialize(doc), "-H", "Content-Type:"});
  BOOST_TEST(a.status == 202, a.body);
}

BOOST_AUTO_TEST_CASE(form_and_multipart_bodies_are_refused_with_415) {
  const auto body = diun_body("vaultwarden/server:1.35.7");
  const auto form = curl("/webhook/diun", {"--data-binary", body});  // curl's default type: a form
  BOOST_TEST(form.status == 415);
  BOOST_TEST(json_of(form.body).at("error").as_string().find("application/x-www-form-urlencoded") != std::string::npos);
  const auto multipart = curl("/webhook/diun", {"-F", "image=vaultwarden/server:1.35.7"});
  BOOST_TEST(multipart.status == 415);
  BOOST_TEST(history().empty());
  BOOST_TEST(woken == 0);
}

BOOST_AUTO_TEST_CASE(bodies_over_64_KiB_are_refused_with_413_json) {
  std::string big = R"({"image": "vaultwarden/server:1.35.7", "status": "new", "pad": ")" + std::string(70 * 1024, 'x') + "\"}";
  const auto a = curl("/webhook/diun", {"--data-binary", big, "-H", "Content-Type:"});
  BOOST_TEST(a.status == 413);
  BOOST_TEST(a.header("content-type").find("application/json") != std::string::npos);
  BOOST_TEST(json_of(a.body).at("error").as_string().find("65536") != std::string::npos, a.body);
  BOOST_TEST(history().empty());
}

BOOST_AUTO_TEST_CASE(a_missing_or_wrong_token_is_401_json) {
  const auto body = diun_body("vaultwarden/server:1.35.7");
  const auto none = curl("/webhook/diun", {"--data-binary", body, "-H", "Content-Type:"}, false);
  BOOST_TEST(none.status == 401);
  BOOST_TEST(none.header("www-authenticate") == "Bearer");
  BOOST_TEST(json_of(none.body).at("error").as_string().find("bearer token") != std::string::npos);
  const auto wrong = curl("/webhook/diun", {"--data-binary", body, "-H", "Content-Type:", "-H", "Authorization: Bearer nope"}, false);
  BOOST_TEST(wrong.status == 401);
  const auto prefix = curl("/v1/upgrades", {"-H", std::string("Authorization: Bearer ") + kToken + "x"}, false);
  BOOST_TEST(prefix.status == 401);
  const auto lower = curl("/webhook/diun", {"--data-binary", body, "-H", "Content-Type:", "-H", std::string("authorization: bearer ") + kToken}, false);
  BOOST_TEST(lower.status == 202);
  BOOST_TEST(history().size() == 1U);
}

BOOST_AUTO_TEST_CASE(malformed_json_and_bad_images_are_400_naming_the_problem) {
  const auto broken = curl("/webhook/diun", {"--data-binary", R"({"image": "x:1", )", "-H", "Content-Type:"});
  BOOST_TEST(broken.status == 400);
  BOOST_TEST(json_of(broken.body).at("error").as_string().find("malformed JSON at byte") != std::string::npos, broken.body);
  const auto bad = curl("/webhook/diun", {"--data-binary", diun_body("Vault Warden:1"), "-H", "Content-Type:"});
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(json_of(bad.body).at("error").as_string().rfind("image: ", 0) == 0U, bad.body);
  const auto empty = curl("/webhook/diun", {"-X", "GET"});
  BOOST_TEST(empty.status == 400);
  BOOST_TEST(history().empty());
  BOOST_TEST(woken == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(intake_api, IntakeFixture)

BOOST_AUTO_TEST_CASE(ignored_statuses_refusals_and_holds_are_200_with_the_reason) {
  auto ignored = call("POST", "/webhook/diun", diun_body("vaultwarden/server:1.35.7", "unchange"));
  BOOST_TEST(ignored.status == 200);
  auto doc = json_of(ignored.body);
  BOOST_TEST(doc.at("state").as_string() == "ignored");
  BOOST_TEST(std::string(doc.at("message").as_string()).find("UPGRADE_AGENT_DIUN_STATUSES") != std::string::npos);
  BOOST_TEST(history().empty());  // not journalled: DIUN may report every unchanged image on every scan

  auto refused = call("POST", "/webhook/diun", diun_body("docker.io/library/postgres:17.2"));
  BOOST_TEST(refused.status == 200);
  doc = json_of(refused.body);
  BOOST_TEST(doc.at("state").as_string() == "refused");
  auto records = history();
  BOOST_REQUIRE_EQUAL(records.size(), 1U);
  BOOST_TEST(records[0].id == doc.at("id").as_int64());
  BOOST_TEST(records[0].outcome == "refused");
  BOOST_TEST(store::to_string(records[0].state) == "done");
  BOOST_TEST(records[0].reason.find("skip pattern") != std::string::npos);

  store::Hold hold{{"docker.io/vaultwarden/server", "1.35.7"}, std::chrono::system_clock::now(), "pods crash-looped", std::nullopt};
  BOOST_REQUIRE(run_expected(loop.io, journal->hold(hold)).has_value());
  auto held = call("POST", "/webhook/diun", diun_body("vaultwarden/server:1.35.7"));
  BOOST_TEST(held.status == 200);
  doc = json_of(held.body);
  BOOST_TEST(doc.at("state").as_string() == "held");
  BOOST_TEST(std::string(doc.at("message").as_string()).rfind("held: rolled back on ", 0) == 0U);
  BOOST_TEST(std::string(doc.at("message").as_string()).find("pods crash-looped") != std::string::npos);
  BOOST_TEST(woken == 0);
}

BOOST_AUTO_TEST_CASE(the_relayed_diun_entry_form_and_the_flat_form) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/diun-entry-flat.json");
  std::stringstream entry;
  entry << in.rdbuf();
  auto a = call("POST", "/webhook/diun", entry.str());
  BOOST_TEST(a.status == 202, a.body);
  auto flat = call("POST", "/v1/upgrades", R"({"image": "vaultwarden/server", "new_tag": "1.35.7", "hub_link": "https://hub.docker.com/r/vaultwarden/server"})");
  BOOST_TEST(flat.status == 202, flat.body);
  auto wrong = call("POST", "/webhook/diun", R"({"image": "vaultwarden/server", "new_tag": "1.35.8"})");
  BOOST_TEST(wrong.status == 400);
  auto records = history();
  BOOST_REQUIRE_EQUAL(records.size(), 2U);
  BOOST_TEST(records[0].source == "api");  // newest first
  BOOST_TEST(records[0].target.image == "docker.io/vaultwarden/server");
  BOOST_TEST(records[1].target.image == "ghcr.io/linkwarden/linkwarden");
  BOOST_TEST(records[1].target.tag == "v2.14.0");
  BOOST_TEST(woken == 2);
}

BOOST_AUTO_TEST_CASE(history_newest_first_with_a_limit_and_one_upgrade_with_its_steps) {
  for (int i = 0; i < 3; ++i) {
    auto a = call("POST", "/v1/upgrades", R"({"image": "vaultwarden/server", "new_tag": "1.35.)" + std::to_string(i) + "\"}");
    BOOST_REQUIRE_EQUAL(a.status, 202);
  }
  auto listed = call("GET", "/v1/upgrades?limit=2");
  BOOST_TEST(listed.status == 200);
  auto doc = json_of(listed.body);
  const auto& list = doc.at("upgrades").as_array();
  BOOST_REQUIRE_EQUAL(list.size(), 2U);
  BOOST_TEST(list[0].as_object().at("tag").as_string() == "1.35.2");
  BOOST_TEST(list[1].as_object().at("tag").as_string() == "1.35.1");
  BOOST_TEST(list[0].as_object().at("state").as_string() == "queued");
  BOOST_TEST(list[0].as_object().at("started_at").is_null());
  BOOST_TEST(call("GET", "/v1/upgrades").status == 200);
  for (const char* bad : {"0", "x", "1001", "-1", "2x"}) {
    auto r = call("GET", std::string("/v1/upgrades?limit=") + bad);
    BOOST_TEST(r.status == 400, bad);
  }

  const auto id = list[0].as_object().at("id").as_int64();
  config::RateLimit unlimited{100, std::chrono::hours(1)};
  auto started = run_expected(loop.io, journal->begin(id, unlimited, std::chrono::system_clock::now()));
  BOOST_REQUIRE(started.has_value() && started->started);
  saga::Event pushed;
  pushed.kind = saga::EventKind::pushed;
  pushed.step = saga::Step::publish;
  pushed.sha = "0123456789abcdef0123456789abcdef01234567";
  pushed.evidence = {"stacks/vaultwarden/main.tf: 1.35.1 -> 1.35.2"};
  saga::Event failed;
  failed.kind = saga::EventKind::failed;
  failed.step = saga::Step::verify;
  failed.error = core::make_error(core::ErrorKind::unavailable, "503 from the ingress", "health", "GET https://vault.example");
  const auto at = std::chrono::system_clock::now();
  std::vector<store::Checkpoint> cps{store::checkpoint_of(pushed, at), store::checkpoint_of(failed, at)};
  BOOST_REQUIRE(run_expected(loop.io, journal->append(id, cps)).has_value());

  auto one = call("GET", "/v1/upgrades/" + std::to_string(id));
  BOOST_TEST(one.status == 200);
  doc = json_of(one.body);
  BOOST_TEST(doc.at("state").as_string() == "running");
  BOOST_TEST(!doc.at("started_at").is_null());
  const auto& steps = doc.at("steps").as_array();
  BOOST_REQUIRE_EQUAL(steps.size(), 2U);
  BOOST_TEST(steps[0].as_object().at("step").as_string() == "publish");
  BOOST_TEST(steps[0].as_object().at("kind").as_string() == "pushed");
  BOOST_TEST(steps[0].as_object().at("sha").as_string() == pushed.sha);
  BOOST_TEST(steps[0].as_object().at("evidence").as_array().at(0).as_string() == pushed.evidence[0]);
  BOOST_TEST(steps[0].as_object().at("at").as_string() == store::format_time(at));
  BOOST_TEST(std::string(steps[1].as_object().at("error").as_string()).find("503 from the ingress") != std::string::npos);

  auto missing = call("GET", "/v1/upgrades/999");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(json_of(missing.body).at("error").as_string() == "no upgrade 999");
  BOOST_TEST(call("GET", "/v1/upgrades/abc").status == 404);
}

BOOST_AUTO_TEST_CASE(holds_are_listed_and_released_over_the_api) {
  store::Hold hold{{"docker.io/vaultwarden/server", "1.35.7"}, std::chrono::system_clock::now(), "verify failed", std::nullopt};
  BOOST_REQUIRE(run_expected(loop.io, journal->hold(hold)).has_value());
  auto listed = call("GET", "/v1/holds");
  BOOST_TEST(listed.status == 200);
  auto doc = json_of(listed.body);
  BOOST_REQUIRE_EQUAL(doc.at("holds").as_array().size(), 1U);
  BOOST_TEST(doc.at("holds").as_array()[0].as_object().at("image").as_string() == "docker.io/vaultwarden/server");
  BOOST_TEST(doc.at("holds").as_array()[0].as_object().at("request").is_null());
  BOOST_TEST(call("GET", "/metrics").body.find("upgrade_agent_active_holds 1\n") != std::string::npos);

  BOOST_TEST(call("POST", "/v1/holds/release", R"({"image": "vaultwarden/server"})").status == 400);  // no tag
  BOOST_TEST(call("POST", "/v1/holds/release", R"({"image": "vaultwarden/server", "tag": "1.35.8"})").status == 404);
  BOOST_TEST(call("POST", "/v1/holds/release", "{not json").status == 400);
  BOOST_TEST(call("POST", "/v1/holds/release", R"({"image": "vaultwarden/server", "tag": "1.35.7"})", false).status == 401);
  auto released = call("POST", "/v1/holds/release", R"({"image": "vaultwarden/server", "tag": "1.35.7"})");
  BOOST_TEST(released.status == 200, released.body);
  BOOST_TEST(json_of(released.body).at("released").as_object().at("reason").as_string() == "verify failed");
  BOOST_TEST(json_of(call("GET", "/v1/holds").body).at("holds").as_array().empty());
  BOOST_TEST(call("GET", "/metrics").body.find("upgrade_agent_active_holds 0\n") != std::string::npos);
  // Released: asking for the target again queues it.
  BOOST_TEST(call("POST", "/v1/upgrades", R"({"image": "vaultwarden/server:1.35.7"})").status == 202);
  // The tag inside "image" works too; nothing is held any more.
  BOOST_TEST(call("POST", "/v1/holds/release", R"({"image": "vaultwarden/server:1.35.7"})").status == 404);
}

BOOST_AUTO_TEST_CASE(health_readiness_metrics_and_unknown_routes) {
  auto health = call("GET", "/healthz", {}, false);
  BOOST_TEST(health.status == 200);
  auto ready_answer = call("GET", "/readyz", {}, false);
  BOOST_TEST(ready_answer.status == 200, ready_answer.body);
  ready = false;
  auto not_ready = call("GET", "/readyz", {}, false);
  BOOST_TEST(not_ready.status == 503);
  BOOST_TEST(std::string(json_of(not_ready.body).at("error").as_string()).rfind("not ready", 0) == 0U);
  ready = true;

  BOOST_TEST(call("GET", "/metrics", {}, false).status == 401);
  BOOST_TEST(call("POST", "/v1/upgrades", R"({"image": "vaultwarden/server:1.35.7"})").status == 202);
  auto scraped = call("GET", "/metrics");
  BOOST_TEST(scraped.status == 200);
  BOOST_TEST(scraped.header("Content-Type").value_or("").find("version=0.0.4") != std::string::npos);
  const auto& text = scraped.body;
  BOOST_TEST(text.find("upgrade_agent_build_info{version=\"9.9.9-test\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("upgrade_agent_http_requests_total{endpoint=\"/v1/upgrades\",code=\"202\"} 1\n") != std::string::npos, text);
  BOOST_TEST(text.find("upgrade_agent_http_requests_total{endpoint=\"/metrics\",code=\"401\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("upgrade_agent_http_requests_total{endpoint=\"/readyz\",code=\"503\"} 1\n") != std::string::npos, text);
  BOOST_TEST(text.find("upgrade_agent_intake_requests_total{verdict=\"accepted\"} 1\n") != std::string::npos);

  auto unknown = call("GET", "/v2/nothing");
  BOOST_TEST(unknown.status == 404);
  BOOST_TEST(json_of(unknown.body).contains("error"));
  auto wrong_method = call("DELETE", "/v1/upgrades");
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(json_of(wrong_method.body).contains("error"));
}

BOOST_AUTO_TEST_SUITE_END()

// --insecure-no-auth: the daemon passes an empty token.
struct NoAuthFixture : IntakeFixture {
  NoAuthFixture() : IntakeFixture("") {}
};

BOOST_FIXTURE_TEST_CASE(an_empty_token_lets_every_request_in, NoAuthFixture) {
  BOOST_TEST(call("POST", "/v1/upgrades", R"({"image": "vaultwarden/server:1.35.7"})", false).status == 202);
  BOOST_TEST(call("GET", "/metrics", {}, false).status == 200);
}

}  // namespace ua::test
