// The Slack simulator held to the webhook contract (contracts/slack-webhook.md)
// with curl as the client: what each payload gets, each named error's status
// and body, 429 with Retry-After, JSON and form-encoded payloads.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "sandbox/curl_client.hpp"
#include "sandbox/slack/slack_simulator.hpp"

namespace sim = ua::sandbox::slack;
using ua::test::CurlAnswer;

namespace {

struct World {
  ua::test::ServingLoop loop;
  sim::Simulator slack{loop.io.get_executor()};
  World() { BOOST_REQUIRE(slack.start()); }
  ~World() {
    slack.stop();
    loop.io.restart();
    loop.io.poll();
  }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  CurlAnswer post_json(const std::string& body, const std::string& url = {}) {
    return loop.curl({"-H", "Content-type: application/json", "--data-binary", body, url.empty() ? slack.webhook_url() : url});
  }
};

// Slack answers with one word, in text/html, never JSON.
void one_word(const CurlAnswer& a, int status, const std::string& body) {
  BOOST_TEST_INFO(a.err);
  BOOST_TEST(a.exit_code == 0);
  BOOST_TEST(a.status == status);
  BOOST_TEST(a.body == body);
  BOOST_TEST(a.header("content-type").rfind("text/html", 0) == 0U, a.header("content-type"));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(slack_webhook, World)

BOOST_AUTO_TEST_CASE(a_json_message_is_posted_and_answered_ok) {
  const std::string body = R"({"text": "[Upgrade Agent] Starting: *linkwarden* v2.9.1 -> v2.14.0 (risk: SAFE) &amp; more"})";
  one_word(post_json(body), 200, "ok");
  BOOST_REQUIRE_EQUAL(slack.messages().size(), 1U);
  BOOST_TEST(slack.messages()[0].text == "[Upgrade Agent] Starting: *linkwarden* v2.9.1 -> v2.14.0 (risk: SAFE) &amp; more");
  BOOST_TEST(slack.messages()[0].body == body);
  BOOST_REQUIRE_EQUAL(slack.requests().size(), 1U);
  BOOST_TEST(slack.requests()[0].method == "POST");
  BOOST_TEST(slack.requests()[0].content_type == "application/json");
}

BOOST_AUTO_TEST_CASE(blocks_with_a_fallback_text_and_blocks_alone_are_posted) {
  one_word(post_json(R"({"text":"fallback","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]})"), 200, "ok");
  one_word(post_json(R"({"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]})"), 200, "ok");
  BOOST_REQUIRE_EQUAL(slack.messages().size(), 2U);
  BOOST_TEST(slack.messages()[0].text == "fallback");
  BOOST_TEST(slack.messages()[1].text.empty());
}

BOOST_AUTO_TEST_CASE(a_form_encoded_payload_is_read_like_json) {
  // curl's --data-urlencode writes payload=<percent-encoded JSON>, form content type.
  auto a = loop.curl({"--data-urlencode", R"(payload={"text":"a & b: 100% done"})", slack.webhook_url()});
  one_word(a, 200, "ok");
  BOOST_REQUIRE_EQUAL(slack.messages().size(), 1U);
  BOOST_TEST(slack.messages()[0].text == "a & b: 100% done");
  BOOST_TEST(slack.requests()[0].content_type == "application/x-www-form-urlencoded");
  // A form without `payload`, or whose payload is not JSON, is not a message.
  one_word(loop.curl({"--data-urlencode", R"(text={"text":"x"})", slack.webhook_url()}), 400, "invalid_payload");
  one_word(loop.curl({"--data-urlencode", "payload=not json", slack.webhook_url()}), 400, "invalid_payload");
  BOOST_TEST(slack.messages().size() == 1U);
}

BOOST_AUTO_TEST_CASE(payloads_slack_refuses) {
  one_word(post_json("{not json"), 400, "invalid_payload");
  one_word(post_json(R"(["text"])"), 400, "invalid_payload");
  one_word(post_json(R"({"text": 42})"), 400, "invalid_payload");
  one_word(post_json(R"({"blocks": []})"), 400, "invalid_payload");
  one_word(post_json(R"({})"), 400, "no_text");
  one_word(post_json(R"({"text": ""})"), 400, "no_text");
  one_word(loop.curl({slack.webhook_url()}), 400, "invalid_payload");  // GET
  BOOST_TEST(slack.messages().empty());
}

BOOST_AUTO_TEST_CASE(a_wrong_hook_url_is_no_service) {
  one_word(post_json(R"({"text":"x"})", slack.url() + "/services/T0SANDBOX/B0SANDBOX/wrongtoken"), 404, "no_service");
  one_word(post_json(R"({"text":"x"})", slack.url() + "/"), 404, "no_service");
  BOOST_TEST(slack.messages().empty());
}

BOOST_AUTO_TEST_CASE(each_named_error_of_the_contract_has_its_status_and_body) {
  const std::vector<std::pair<std::string, int>> table{
      {"invalid_payload", 400}, {"no_text", 400},           {"invalid_token", 403},      {"action_prohibited", 403},
      {"no_service", 404},      {"channel_not_found", 404}, {"channel_is_archived", 410}};
  BOOST_TEST(sim::contract_errors().size() == table.size());
  for (const auto& [name, status] : table) {
    BOOST_TEST_CONTEXT(name) {
      slack.answer_next(name);
      auto a = post_json(R"({"text":"a valid message"})");
      one_word(a, status, name);
      BOOST_TEST(a.header("retry-after").empty());
    }
  }
  BOOST_TEST(slack.messages().empty());  // none of them was posted
  // The queue is used up: the next message is posted.
  one_word(post_json(R"({"text":"after"})"), 200, "ok");
  BOOST_TEST(slack.messages().size() == 1U);
}

BOOST_AUTO_TEST_CASE(rate_limited_carries_retry_after_and_server_errors_are_500) {
  slack.answer_next("rate_limited");
  slack.answer_next("server_error");
  auto limited = post_json(R"({"text":"x"})");
  one_word(limited, 429, "rate_limited");
  BOOST_TEST(limited.header("retry-after") == "1");
  one_word(post_json(R"({"text":"x"})"), 500, "server_error");
  one_word(post_json(R"({"text":"x"})"), 200, "ok");
  slack.answer_next(sim::Scripted{429, "rate_limited", std::string("7"), {}});
  BOOST_TEST(post_json(R"({"text":"x"})").header("retry-after") == "7");
}

BOOST_AUTO_TEST_CASE(an_archived_channel_answers_every_message_until_cleared) {
  slack.answer_always(sim::contract_answer("channel_is_archived"));
  one_word(post_json(R"({"text":"1"})"), 410, "channel_is_archived");
  one_word(post_json(R"({"text":"2"})"), 410, "channel_is_archived");
  slack.answer_always(std::nullopt);
  one_word(post_json(R"({"text":"3"})"), 200, "ok");
  BOOST_REQUIRE_EQUAL(slack.messages().size(), 1U);
  BOOST_TEST(slack.messages()[0].text == "3");
  BOOST_TEST(!sim::contract_answer("no_such_error").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
