// The adapter's reading of Woodpecker's JSON: the contracts, both versions'
// timestamp names, and answers that must be refused rather than guessed.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "upgrade_agent/adapters/woodpecker/woodpecker.hpp"

namespace wp = ua::adapters::woodpecker;
using wp::StateClass;

namespace {

std::string contract(const std::string& name) {
  std::ifstream in(std::string(UA_SHARED_DIR) + "/contracts/" + name);
  BOOST_REQUIRE_MESSAGE(in, "missing contract " << name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parsing)

BOOST_AUTO_TEST_CASE(the_contract_pipeline_reads_each_workflow_state_and_v3_times) {
  auto p = wp::parse_pipeline(contract("woodpecker-pipeline.json"));
  BOOST_REQUIRE(p);
  BOOST_TEST(p->number == 4312);
  BOOST_TEST(p->status == "failure");
  BOOST_TEST(p->commit == "0e6dcb83a1b2c3d4e5f60718293a4b5c6d7e8f90");
  BOOST_TEST(p->times.created == 1776357300);
  BOOST_TEST(p->times.started == 1776357302);
  BOOST_TEST(p->times.finished == 1776357710);
  BOOST_REQUIRE(p->workflows.size() == 2U);
  BOOST_TEST(p->workflows[0].name == "default");
  BOOST_TEST(p->workflows[0].state == "success");
  BOOST_TEST(p->workflows[0].times.finished == 1776357690);
  BOOST_TEST(p->workflows[1].name == "build-cli");
  BOOST_TEST(p->workflows[1].state == "failure");
  BOOST_TEST(p->workflows[1].error == "push to registry failed: unauthorized");
}

BOOST_AUTO_TEST_CASE(the_contract_list_and_lookup_read) {
  auto list = wp::parse_pipeline_list(contract("woodpecker-pipelines.json"));
  BOOST_REQUIRE(list);
  BOOST_REQUIRE(list->size() == 2U);
  BOOST_TEST((*list)[0].number == 4312);
  BOOST_TEST((*list)[0].event == "push");
  BOOST_TEST((*list)[0].times.created == 1776357300);
  BOOST_TEST((*list)[1].commit == "5f1b14ad00112233445566778899aabbccddeeff");
  auto id = wp::parse_repo_id(contract("woodpecker-repo-lookup.json"));
  BOOST_REQUIRE(id);
  BOOST_TEST(*id == 1);
}

BOOST_AUTO_TEST_CASE(v2_spells_the_timestamps_with_at_and_workflows_with_start_and_end_time) {
  const std::string v2 = R"({"id":9876,"number":12,"status":"running","created_at":1700000000,
    "updated_at":1700000005,"started_at":1700000002,"finished_at":0,"commit":"abc","event":"push",
    "reviewed_at":0,"workflows":[{"id":1,"pipeline_id":9876,"pid":1,"name":"default","state":"running",
    "start_time":1700000003,"environ":{},"children":[]}]})";
  auto p = wp::parse_pipeline(v2);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->times.created == 1700000000);
  BOOST_TEST(p->times.started == 1700000002);
  BOOST_TEST(p->times.finished == 0);
  BOOST_REQUIRE(p->workflows.size() == 1U);
  BOOST_TEST(p->workflows[0].times.started == 1700000003);
  BOOST_TEST(p->workflows[0].times.finished == 0);

  auto list = wp::parse_pipeline_list(R"([{"number":3,"commit":"abc","created_at":1700000000,"extra":{"x":[1]}}])");
  BOOST_REQUIRE(list);
  BOOST_TEST((*list)[0].times.created == 1700000000);
  BOOST_TEST((*list)[0].event.empty());
}

BOOST_AUTO_TEST_CASE(an_empty_list_is_empty_whether_null_or_brackets) {
  BOOST_TEST(wp::parse_pipeline_list("[]")->empty());
  BOOST_TEST(wp::parse_pipeline_list("null")->empty());
}

BOOST_AUTO_TEST_CASE(a_pipeline_without_workflows_keeps_its_errors) {
  auto p = wp::parse_pipeline(R"({"number":5,"status":"error","workflows":null,
    "errors":[{"type":"linter","message":"yaml: line 3: mapping values are not allowed"},7]})");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->workflows.empty());
  BOOST_REQUIRE(p->errors.size() == 1U);
  BOOST_TEST(p->errors[0] == "yaml: line 3: mapping values are not allowed");
}

BOOST_AUTO_TEST_CASE(malformed_answers_are_errors_not_guesses) {
  for (const char* body : {"", "<html>login</html>", "{\"number\":", "[1,2]", "{}", "{\"number\":\"12\"}",
                           "{\"number\":1,\"workflows\":{}}", "{\"number\":1,\"workflows\":[{\"name\":\"default\"}]}",
                           "{\"number\":1,\"workflows\":[{\"name\":\"default\",\"state\":3}]}",
                           "{\"number\":1,\"status\":[]}"}) {
    auto p = wp::parse_pipeline(body);
    BOOST_TEST(!p, "accepted: " << body);
    if (!p) BOOST_TEST((p.error().kind == ua::core::ErrorKind::unavailable));
  }
  for (const char* body : {"{}", "[{\"commit\":\"abc\"}]", "[{\"number\":1,\"commit\":5}]", "[\"x\"]", "[{\"number\":-",
                           "[{\"number\":1,\"commit\":\"a\",\"event\":1}]"}) {
    BOOST_TEST(!wp::parse_pipeline_list(body), "accepted: " << body);
  }
  for (const char* body : {"{}", "{\"id\":0}", "{\"id\":\"1\"}", "[]", "nope"}) {
    BOOST_TEST(!wp::parse_repo_id(body), "accepted: " << body);
  }
}

BOOST_AUTO_TEST_CASE(every_state_has_its_class_and_unknown_ones_are_never_terminal) {
  BOOST_TEST((wp::classify("success") == StateClass::success));
  for (const char* s : {"failure", "error", "killed", "declined", "canceled"}) {
    BOOST_TEST((wp::classify(s) == StateClass::failed), s);
  }
  BOOST_TEST((wp::classify("skipped") == StateClass::skipped));
  for (const char* s : {"pending", "running", "blocked", "created"}) {
    BOOST_TEST((wp::classify(s) == StateClass::waiting), s);
  }
  for (const char* s : {"", "paused", "SUCCESS", "cancelled", "success "}) {
    BOOST_TEST((wp::classify(s) == StateClass::unknown), s);
  }
}

BOOST_AUTO_TEST_CASE(repo_settings_are_owner_name_or_a_number) {
  auto named = wp::parse_repo_ref("ViktorBarzin/infra");
  BOOST_REQUIRE(named);
  BOOST_TEST(!named->id);
  BOOST_TEST(named->owner == "ViktorBarzin");
  BOOST_TEST(named->name == "infra");
  auto numbered = wp::parse_repo_ref("42");
  BOOST_REQUIRE(numbered);
  BOOST_TEST(*numbered->id == 42);
  for (const char* bad : {"", "0", "infra", "/infra", "a/", "a/b/c", "a/../b", "../x", "a/b?x=1", "a b/c", "a/%2e%2e",
                          "9999999999999999999999"}) {
    auto r = wp::parse_repo_ref(bad);
    BOOST_TEST(!r, "accepted: " << bad);
    if (!r) BOOST_TEST((r.error().kind == ua::core::ErrorKind::bad_input));
  }
}

BOOST_AUTO_TEST_CASE(times_are_shown_in_utc) {
  BOOST_TEST(wp::format_time(1776357300) == "2026-04-16 16:35:00 UTC");
  BOOST_TEST(wp::format_time(0) == "-");
}

BOOST_AUTO_TEST_CASE(settings_become_options) {
  ua::config::Settings s;
  s.woodpecker_url = "https://ci.example.org";
  s.woodpecker_api_token = ua::config::Secret("t0k");
  s.woodpecker_repo = "o/r";
  s.ci_poll_interval = std::chrono::seconds(5);
  auto o = wp::options_from(s);
  BOOST_TEST(o.url == "https://ci.example.org");
  BOOST_TEST(o.token == "t0k");
  BOOST_TEST(o.repo == "o/r");
  BOOST_TEST(o.workflow == "default");
  BOOST_TEST(o.poll_interval.count() == 5000);
}

BOOST_AUTO_TEST_SUITE_END()
