#include "sandbox/slack/slack_simulator.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <random>

namespace ua::sandbox::slack {

namespace asio = boost::asio;
namespace json = boost::json;
using net::ServerRequest;
using net::ServerResponse;

namespace {

std::string random_token(std::size_t length) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<std::size_t> pick(0, kChars.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += kChars[pick(rng)];
  return out;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded value of `name`.
std::optional<std::string> form_field(std::string_view body, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const auto end = std::min(body.size(), body.find('&', pos));
    const auto pair = body.substr(pos, end - pos);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      std::string out;
      const auto raw = pair.substr(eq + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
          out += ' ';
        } else if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
          out += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
          i += 2;
        } else {
          out += raw[i];
        }
      }
      return out;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

ServerResponse slack_text(int status, std::string body) {
  auto r = ServerResponse::text(status, std::move(body));
  r.headers.set("Content-Type", "text/html");  // what hooks.slack.com sends for its one-word answers
  return r;
}

}  // namespace

std::optional<Scripted> contract_answer(std::string_view name) {
  if (name == "invalid_payload" || name == "no_text") return Scripted{400, std::string(name), std::nullopt, {}};
  if (name == "invalid_token" || name == "action_prohibited") return Scripted{403, std::string(name), std::nullopt, {}};
  if (name == "no_service" || name == "channel_not_found") return Scripted{404, std::string(name), std::nullopt, {}};
  if (name == "channel_is_archived") return Scripted{410, std::string(name), std::nullopt, {}};
  if (name == "rate_limited") return Scripted{429, "rate_limited", std::string("1"), {}};
  if (name == "server_error") return Scripted{500, "server_error", std::nullopt, {}};
  return std::nullopt;
}

std::vector<std::string> contract_errors() {
  return {"invalid_payload", "no_text", "invalid_token", "action_prohibited",
          "no_service",      "channel_not_found", "channel_is_archived"};
}

struct Simulator::State {
  std::string path;
  std::deque<Scripted> next;
  std::optional<Scripted> always;
  std::vector<Message> messages;
  std::vector<Received> requests;

  // What Slack itself answers to a request that reached the hook.
  ServerResponse judge(const ServerRequest& req) {
    if (req.method != "POST") return slack_text(400, "invalid_payload");
    const auto type = req.header("Content-Type").value_or("");
    std::string document = req.body;
    if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      auto field = form_field(req.body, "payload");
      if (!field) return slack_text(400, "invalid_payload");
      document = std::move(*field);
    }
    json::error_code ec;
    const auto doc = json::parse(document, ec);
    if (ec || !doc.is_object()) return slack_text(400, "invalid_payload");
    const auto& obj = doc.as_object();
    const auto* text = obj.if_contains("text");
    const auto* blocks = obj.if_contains("blocks");
    if (text && !text->is_string()) return slack_text(400, "invalid_payload");
    if (blocks && (!blocks->is_array() || blocks->as_array().empty())) return slack_text(400, "invalid_payload");
    const bool has_text = text && !text->as_string().empty();
    if (!has_text && !blocks) return slack_text(400, "no_text");
    messages.push_back(Message{has_text ? std::string(text->as_string()) : std::string(), req.body});
    return slack_text(200, "ok");
  }
};

namespace {

asio::awaitable<ServerResponse> handle(std::shared_ptr<Simulator::State> state, const ServerRequest& req) {
  Received entry{req.method, req.path, req.header("Content-Type").value_or(""), req.body, 0, {}};
  ServerResponse res;
  if (req.path != state->path) {
    res = slack_text(404, "no_service");
  } else {
    std::optional<Scripted> scripted = state->always;
    if (!scripted && !state->next.empty()) {
      scripted = state->next.front();
      state->next.pop_front();
    }
    if (scripted) {
      if (scripted->delay.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, scripted->delay);
        co_await timer.async_wait(asio::use_awaitable);
      }
      res = slack_text(scripted->status, scripted->body);
      if (scripted->retry_after) res.headers.set("Retry-After", *scripted->retry_after);
    } else {
      res = state->judge(req);
    }
  }
  entry.status = res.status;
  entry.answer = res.body;
  state->requests.push_back(std::move(entry));
  co_return res;
}

}  // namespace

Simulator::Simulator(asio::any_io_executor executor, net::ServerOptions options)
    : state_(std::make_shared<State>()) {
  state_->path = "/services/T0SANDBOX/B0SANDBOX/" + random_token(24);
  net::Router router;
  router.fallback([state = state_](const ServerRequest& req) { return handle(state, req); });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(options));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() { return server_->start(); }
void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }
std::string Simulator::webhook_url() const { return server_->url() + state_->path; }
const std::string& Simulator::webhook_path() const { return state_->path; }

void Simulator::answer_next(Scripted answer) { state_->next.push_back(std::move(answer)); }
void Simulator::answer_next(std::string_view contract_name, unsigned times) {
  const auto answer = contract_answer(contract_name);
  if (!answer) throw std::invalid_argument("not an answer of the Slack contract: " + std::string(contract_name));
  for (unsigned i = 0; i < times; ++i) state_->next.push_back(*answer);
}
void Simulator::answer_always(std::optional<Scripted> answer) { state_->always = std::move(answer); }

const std::vector<Message>& Simulator::messages() const { return state_->messages; }
const std::vector<Received>& Simulator::requests() const { return state_->requests; }

}  // namespace ua::sandbox::slack
