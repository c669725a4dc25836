// Waiting for the pipeline of a commit against the simulator: every terminal
// state, the workflow's own state against the pipeline's status, late and
// paged pipelines, and each failure with its kind and message.
#include "adapters/woodpecker/world.hpp"

using namespace ua::test_woodpecker;
using ua::core::ErrorKind;
using ua::ports::CiState;

BOOST_AUTO_TEST_SUITE(wait)

BOOST_AUTO_TEST_CASE(a_successful_pipeline_v3_is_found_polled_and_reported_on_each_change) {
  World w;
  const auto c = sha(1);
  const auto number = w.sim.add_pipeline(sim::slow(c, 5));
  auto r = w.wait(c);
  const auto& out = r.outcome();
  BOOST_TEST((out.state == CiState::success));
  BOOST_TEST(out.state_text == "success");
  BOOST_TEST(out.pipeline == number);
  BOOST_TEST(out.workflow == "default");
  BOOST_TEST(out.url == w.sim.url() + "/repos/1/pipeline/" + std::to_string(number));
  // pending, running (5 reads), success: one line per change, not per poll.
  BOOST_TEST_INFO(r.all_progress());
  BOOST_REQUIRE(r.progress.size() == 4U);
  BOOST_TEST(r.progress[0].find("pipeline " + std::to_string(number) + " is commit 0e6dcb8 (push, created 20") == 0U);
  BOOST_TEST(r.progress[1].find("default pending") != std::string::npos);
  BOOST_TEST(r.progress[2].find("default running (started 20") != std::string::npos);
  BOOST_TEST(r.progress[3].find("default success (started 20") != std::string::npos);
  BOOST_TEST(r.progress[3].find(", finished 20") != std::string::npos);
  BOOST_TEST(w.sim.count("/api/repos/1/pipelines/" + std::to_string(number)) == 7U);
  for (const auto& entry : w.sim.log()) {
    BOOST_TEST(entry.authorized);
    BOOST_TEST(entry.authorization_scheme.value_or("") == "Bearer");
  }
}

BOOST_AUTO_TEST_CASE(v2_answers_parse_with_their_own_timestamp_names) {
  World w(World::v(sim::ApiVersion::v2));
  const auto c = sha(2);
  w.sim.add_pipeline(sim::succeeds(c, 2));
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::success));
  BOOST_TEST_INFO(r.all_progress());
  BOOST_TEST(r.progress.front().find("created 20") != std::string::npos);  // created_at
  BOOST_TEST(r.progress.back().find("started 20") != std::string::npos);   // start_time
  BOOST_TEST(r.progress.back().find("finished 20") != std::string::npos);  // end_time
}

BOOST_AUTO_TEST_CASE(every_terminal_state_ends_the_wait_with_its_own_word) {
  World w;
  wp::Client client(w.http, w.options);
  const std::vector<std::pair<std::string, CiState>> cases = {
      {"success", CiState::success},  {"failure", CiState::failure}, {"error", CiState::failure},
      {"killed", CiState::failure},   {"declined", CiState::failure}, {"canceled", CiState::failure},
      {"skipped", CiState::skipped}};
  unsigned n = 10;
  for (const auto& [state, expected] : cases) {
    const auto c = sha(++n);
    w.sim.add_pipeline(sim::fails(c, state));
    auto r = w.wait(client, c);
    BOOST_TEST_CONTEXT(state) {
      BOOST_TEST((r.outcome().state == expected));
      BOOST_TEST(r.outcome().state_text == state);
    }
  }
  // One lookup for all of them: the id is cached.
  BOOST_TEST(w.sim.count("/api/repos/lookup/") == 1U);
}

BOOST_AUTO_TEST_CASE(canceled_before_it_ran_is_a_failure) {
  World w;
  const auto c = sha(20);
  w.sim.add_pipeline(sim::canceled(c));
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::failure));
  BOOST_TEST(r.outcome().state_text == "canceled");
}

BOOST_AUTO_TEST_CASE(an_unrelated_workflow_failing_does_not_fail_the_upgrade) {
  World w;
  const auto c = sha(21);
  w.sim.add_pipeline(sim::unrelated_failure(c));
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::success));
  BOOST_TEST(r.outcome().workflow == "default");
  auto view = w.sim.pipeline_of(c);
  BOOST_REQUIRE(view);
  BOOST_TEST(view->status == "failure");  // what the overall status says
  BOOST_TEST(r.progress.back().find("pipeline status failure from build-cli failure, not used") != std::string::npos,
             r.progress.back());
}

BOOST_AUTO_TEST_CASE(another_configured_workflow_is_the_one_that_decides) {
  World w;
  w.options.workflow = "build-cli";
  const auto c = sha(22);
  w.sim.add_pipeline(sim::unrelated_failure(c));
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::failure));
  BOOST_TEST(r.outcome().workflow == "build-cli");
  BOOST_TEST(r.progress.back().find("push to registry failed: unauthorized") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_matrix_of_one_name_succeeds_only_when_all_succeed) {
  World w;
  const auto c = sha(23);
  auto s = sim::succeeds(c);
  auto second = s.workflows.front();
  second.states = {"pending", "running", "running", "running", "failure"};
  s.workflows.push_back(second);
  w.sim.add_pipeline(s);
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::failure));
  BOOST_TEST(r.outcome().state_text == "failure");
}

BOOST_AUTO_TEST_CASE(unknown_states_keep_polling_and_are_logged_once) {
  LogCapture logs;
  World w;
  const auto c = sha(24);
  w.sim.add_pipeline(sim::unknown_state(c, "paused", 6));
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::success));
  const auto text = logs.text();
  BOOST_TEST(occurrences(text, "unknown workflow state 'paused'") == 1U, text);
  BOOST_TEST(occurrences(r.all_progress(), "default paused") == 1U);
}

BOOST_AUTO_TEST_CASE(an_unknown_state_forever_is_a_timeout_never_a_success) {
  World w;
  const auto c = sha(25);
  w.sim.add_pipeline(sim::unknown_state(c, "waiting_for_godot", 1000));
  auto r = w.wait(c, 300ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  BOOST_TEST(r.error().message.find("last seen: default waiting_for_godot") != std::string::npos, r.error().message);
}

BOOST_AUTO_TEST_CASE(a_pipeline_that_appears_late_is_found_when_it_does) {
  World w;
  const auto c = sha(26);
  w.sim.add_unrelated(3);
  BOOST_TEST(w.sim.add_pipeline(sim::appears_late(sim::succeeds(c), 4)) == 0);
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::success));
  BOOST_TEST(r.progress.front() == "no pipeline for commit 0e6dcb8 in ViktorBarzin/infra yet");
  BOOST_TEST(r.progress[1].find("is commit 0e6dcb8") != std::string::npos);
  BOOST_TEST(w.requests_with("/pipelines?page=1&perPage=50") >= 4U);
}

BOOST_AUTO_TEST_CASE(paging_goes_past_fifty_newer_pipelines) {
  World w;
  const auto c = sha(27);
  const auto number = w.sim.add_pipeline(sim::succeeds(c));
  w.sim.add_unrelated(75);  // newer than ours: ours is on page 2
  auto r = w.wait(c);
  BOOST_TEST(r.outcome().pipeline == number);
  BOOST_TEST(w.requests_with("/pipelines?page=2&perPage=50") == 1U);
  BOOST_TEST(w.requests_with("page=3") == 0U);
}

BOOST_AUTO_TEST_CASE(later_searches_stop_at_pipelines_already_read) {
  World w;
  w.sim.add_unrelated(120);
  auto r = w.wait(sha(28), 400ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  // The first search reads to the end of the list (page 3 is short); later
  // ones stop on page 1, at numbers already read.
  BOOST_TEST(w.requests_with("page=2&") == 1U);
  BOOST_TEST(w.requests_with("page=3&") == 1U);
  BOOST_TEST(w.requests_with("page=4&") == 0U);
  BOOST_TEST(w.requests_with("page=1&") >= 5U);
}

BOOST_AUTO_TEST_CASE(the_search_stops_at_a_page_older_than_the_push) {
  World w;
  w.sim.add_unrelated(200, "success", std::chrono::hours(3));
  auto r = w.wait(sha(29), 200ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  BOOST_TEST(w.requests_with("page=2&") == 0U);
}

BOOST_AUTO_TEST_CASE(a_newer_cron_run_of_the_same_commit_is_not_the_push_pipeline) {
  World w;
  const auto c = sha(30);
  const auto push = w.sim.add_pipeline(sim::succeeds(c));
  auto cron = sim::fails(c);
  cron.event = "cron";
  cron.workflows.front().name = "nightly";
  w.sim.add_pipeline(cron);
  auto r = w.wait(c);
  BOOST_TEST(r.outcome().pipeline == push);
  BOOST_TEST((r.outcome().state == CiState::success));
}

BOOST_AUTO_TEST_CASE(an_abbreviated_or_uppercase_commit_finds_its_pipeline) {
  World w;
  const auto c = sha(31);
  w.sim.add_pipeline(sim::succeeds(c));
  std::string abbreviated = c.substr(0, 12);
  for (auto& ch : abbreviated) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  BOOST_TEST((w.wait(abbreviated).outcome().state == CiState::success));
}

BOOST_AUTO_TEST_CASE(a_numeric_repo_id_needs_no_lookup) {
  World w;
  w.options.repo = "1";
  const auto c = sha(32);
  w.sim.add_pipeline(sim::succeeds(c));
  BOOST_TEST((w.wait(c).outcome().state == CiState::success));
  BOOST_TEST(w.sim.count("/api/repos/lookup/") == 0U);
}

BOOST_AUTO_TEST_CASE(a_pipeline_whose_config_broke_fails_with_the_reason) {
  World w;
  const auto c = sha(33);
  sim::PipelineScript s;
  s.commit = c;
  s.errors = {"yaml: line 3: did not find expected key"};
  w.sim.add_pipeline(s);
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::failure));
  BOOST_TEST(r.outcome().state_text == "error");
  BOOST_TEST(r.progress.back().find("error before any workflow ran: yaml: line 3") != std::string::npos, r.progress.back());
}

BOOST_AUTO_TEST_CASE(a_missing_workflow_names_those_that_exist) {
  World w;
  w.options.workflow = "deploy";
  const auto c = sha(34);
  w.sim.add_pipeline(sim::unrelated_failure(c));
  auto r = w.wait(c);
  BOOST_TEST((r.error().kind == ErrorKind::not_found));
  BOOST_TEST(r.error().system == "woodpecker");
  BOOST_TEST(r.error().message.find("no workflow 'deploy' (WOODPECKER_WORKFLOW); it has 'default', 'build-cli'") !=
                 std::string::npos,
             r.error().message);
}

BOOST_AUTO_TEST_CASE(never_finishing_times_out_at_the_deadline_saying_what_it_waited_for) {
  World w;
  const auto c = sha(35);
  const auto number = w.sim.add_pipeline(sim::never_finishes(c));
  auto r = w.wait(c, 400ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  BOOST_TEST(r.error().message.find("workflow default of pipeline " + std::to_string(number) +
                                    " to finish (last seen: default running (started 20") != std::string::npos,
             r.error().message);
  BOOST_TEST(r.seconds >= 0.39);
  BOOST_TEST(r.seconds < 0.9);
}

BOOST_AUTO_TEST_CASE(no_pipeline_at_all_times_out_saying_so) {
  World w;
  auto r = w.wait(sha(36), 300ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  BOOST_TEST(r.error().message.find("still waiting for the pipeline of commit 0e6dcb8 in ViktorBarzin/infra to appear") == 0U,
             r.error().message);
  BOOST_TEST(r.seconds < 0.8);
}

BOOST_AUTO_TEST_CASE(a_slow_server_cannot_hold_the_wait_past_its_deadline) {
  World w;
  w.sim.faults().delay = 3s;
  auto r = w.wait(sha(37), 300ms);
  BOOST_TEST((r.error().kind == ErrorKind::timeout));
  BOOST_TEST(r.seconds < 0.9);
}

BOOST_AUTO_TEST_CASE(a_rejected_token_is_named_at_once) {
  World w;
  w.options.token = "not-the-token";
  auto r = w.wait(sha(38));
  BOOST_TEST((r.error().kind == ErrorKind::unavailable));
  BOOST_TEST(r.error().message == "WOODPECKER_API_TOKEN was rejected by 127.0.0.1:" + std::to_string(w.sim.port()));
  BOOST_TEST(r.error().system == "woodpecker");
  BOOST_TEST(w.sim.log().size() == 1U);  // no polling on, no retry
}

BOOST_AUTO_TEST_CASE(no_token_for_a_private_repository_says_to_set_one) {
  World w;
  w.options.token.clear();
  auto r = w.wait(sha(39));
  BOOST_TEST((r.error().kind == ErrorKind::unavailable));
  BOOST_TEST(r.error().message.find("requires a token: set WOODPECKER_API_TOKEN") != std::string::npos);
  BOOST_TEST(!w.sim.log().front().authorization_scheme);
}

BOOST_AUTO_TEST_CASE(an_unknown_repository_is_not_found_by_name_or_by_id) {
  World w;
  w.options.repo = "nobody/nothing";
  auto by_name = w.wait(sha(40));
  BOOST_TEST((by_name.error().kind == ErrorKind::not_found));
  BOOST_TEST(by_name.error().message.find("has no repository nobody/nothing") != std::string::npos, by_name.error().message);
  w.options.repo = "77";
  auto by_id = w.wait(sha(40));
  BOOST_TEST((by_id.error().kind == ErrorKind::not_found));
  BOOST_TEST(by_id.error().message.find("has no repository id 77") != std::string::npos, by_id.error().message);
}

BOOST_AUTO_TEST_CASE(a_server_error_on_one_poll_is_waited_out) {
  LogCapture logs;
  World w;
  const auto c = sha(41);
  w.sim.add_pipeline(sim::slow(c, 3));
  w.sim.faults().server_errors = 4;  // every attempt of the first poll
  auto r = w.wait(c);
  BOOST_TEST((r.outcome().state == CiState::success));
  BOOST_TEST(logs.text().find("(poll 1 of at most 3 failing in a row)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_that_keeps_failing_is_unavailable_after_three_polls) {
  World w;
  w.sim.faults().server_errors = 1000;
  auto r = w.wait(sha(42));
  BOOST_TEST((r.error().kind == ErrorKind::unavailable));
  BOOST_TEST(r.error().message.find("500") != std::string::npos, r.error().message);
  BOOST_TEST(r.error().message.find("(3 polls in a row failed)") != std::string::npos, r.error().message);
}

BOOST_AUTO_TEST_CASE(a_malformed_answer_is_unavailable_and_not_a_state) {
  World w;
  const auto c = sha(43);
  w.sim.add_pipeline(sim::succeeds(c));
  w.options.repo = "1";
  w.sim.faults().malformed = 1;
  auto r = w.wait(c);
  BOOST_TEST((r.error().kind == ErrorKind::unavailable));
  BOOST_TEST(r.error().message.find("is not JSON") != std::string::npos, r.error().message);
}

BOOST_AUTO_TEST_CASE(bad_settings_and_commits_are_refused_before_any_request) {
  World w;
  for (const char* commit : {"", "abc", "not-a-commit-id", "0e6dcb8 --all", "../../../../etc"}) {
    auto r = w.wait(commit);
    BOOST_TEST((r.error().kind == ErrorKind::bad_input), commit);
  }
  w.options.repo = "a/b/c";
  BOOST_TEST((w.wait(sha(44)).error().kind == ErrorKind::bad_input));
  w.options.repo = w.sim.repo();
  w.options.url.clear();
  BOOST_TEST(w.wait(sha(44)).error().message == "WOODPECKER_URL is not set");
  w.options.url = "ftp://ci.example.org";
  BOOST_TEST((w.wait(sha(44)).error().kind == ErrorKind::bad_input));
  BOOST_TEST(w.sim.log().empty());
}

BOOST_AUTO_TEST_CASE(the_api_suffix_of_a_pasted_url_is_dropped) {
  World w;
  w.options.url = w.sim.url() + "/api/";
  const auto c = sha(45);
  w.sim.add_pipeline(sim::succeeds(c));
  BOOST_TEST((w.wait(c).outcome().state == CiState::success));
}

BOOST_AUTO_TEST_SUITE_END()
