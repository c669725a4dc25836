#pragma once
// A Slack incoming-webhook simulator (../shared/contracts/slack-webhook.md):
// one hook at /services/T…/B…/<token>, payloads checked as Slack checks them
// (JSON or form-encoded `payload=`, `text` or `blocks`), every message posted
// recorded, and any answer of the contract on demand.
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/net/server.hpp"

namespace ua::sandbox::slack {

// One answer to give instead of the normal one.
struct Scripted {
  int status = 200;
  std::string body = "ok";
  std::optional<std::string> retry_after;  // Retry-After header value
  std::chrono::milliseconds delay{0};      // answer this late
};

// The contract's answers by their body: invalid_payload, no_text (400),
// invalid_token, action_prohibited (403), no_service, channel_not_found (404),
// channel_is_archived (410); also rate_limited (429, Retry-After 1) and
// server_error (500). Nullopt for any other name.
std::optional<Scripted> contract_answer(std::string_view name);
std::vector<std::string> contract_errors();  // the seven 4xx names above

struct Received {
  std::string method;
  std::string path;
  std::string content_type;
  std::string body;
  int status = 0;
  std::string answer;  // the body answered
};

struct Message {
  std::string text;  // the `text` field as Slack received it (escaped form)
  std::string body;  // the whole request body
};

class Simulator {
 public:
  explicit Simulator(boost::asio::any_io_executor executor, net::ServerOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  core::Expected<std::uint16_t> start();
  void stop();
  [[nodiscard]] std::string url() const;          // the server's origin
  [[nodiscard]] std::string webhook_url() const;  // SLACK_WEBHOOK_URL
  [[nodiscard]] const std::string& webhook_path() const;

  // Answers queued for the next requests to the hook, first in first out.
  void answer_next(Scripted answer);
  void answer_next(std::string_view contract_name, unsigned times = 1);
  // Every request answers this until cleared (a revoked or archived hook).
  void answer_always(std::optional<Scripted> answer);

  [[nodiscard]] const std::vector<Message>& messages() const;  // posted (answered 200 ok)
  [[nodiscard]] const std::vector<Received>& requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace ua::sandbox::slack
