#pragma once
// Steps 5 and 11: a message to the Slack incoming webhook. The webhook URL is
// a credential: it never appears in an error or a log line.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/net/client.hpp"
#include "upgrade_agent/ports/notifier.hpp"

namespace ua::adapters::slack {

struct Options {
  config::Secret webhook_url;  // SLACK_WEBHOOK_URL
  unsigned max_attempts = 5;   // 429 and 5xx are tried again, inside the deadline, at most this often in all
  std::chrono::milliseconds backoff_initial = std::chrono::milliseconds(500);
  std::chrono::milliseconds backoff_max = std::chrono::seconds(8);
  std::chrono::milliseconds default_retry_after = std::chrono::seconds(1);  // a 429 without Retry-After
};

Options options_from(const config::Settings& settings);

// Slack's rule for text that is not markup: &, < and > become &amp; &lt; &gt;
// and nothing else changes (*bold*, _italic_ and new lines stay).
std::string escape_text(std::string_view text);

// The request body: {"text": "<escaped text>"} as JSON.
std::string payload(std::string_view text);

class Notifier final : public ports::Notifier {
 public:
  Notifier(net::Client& http, Options options);

  // Success is 200 with the body `ok` and nothing else. 429 waits for its
  // Retry-After and 5xx backs off, both only while the deadline allows;
  // every other answer is an error naming the status and the body. A failure
  // is logged at error level here and returned; the caller goes on.
  boost::asio::awaitable<core::Expected<void>> post(std::string text, core::Deadline deadline) override;

 private:
  boost::asio::awaitable<core::Expected<void>> deliver(std::string text, core::Deadline deadline);

  net::Client& http_;
  Options options_;
};

}  // namespace ua::adapters::slack
