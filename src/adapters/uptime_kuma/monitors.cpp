#include <spdlog/spdlog.h>

#include "upgrade_agent/adapters/uptime_kuma/metrics.hpp"
#include "upgrade_agent/adapters/uptime_kuma/uptime_kuma.hpp"
#include "upgrade_agent/net/url.hpp"

namespace ua::adapters::uptime_kuma {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kSystem = "uptime_kuma";
constexpr std::string_view kOperation = "GET /metrics";

core::Error failure(core::ErrorKind kind, std::string message) {
  return core::make_error(kind, std::move(message), std::string(kSystem), std::string(kOperation));
}

core::ErrorKind kind_of(net::FailureKind kind) {
  switch (kind) {
    case net::FailureKind::cancelled: return core::ErrorKind::cancelled;
    case net::FailureKind::timeout: return core::ErrorKind::timeout;
    case net::FailureKind::invalid_request: return core::ErrorKind::bad_input;
    default: return core::ErrorKind::unavailable;
  }
}

std::string encode_base64(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  const auto byte = [&data](std::size_t at) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at])); };
  for (; i + 2 < data.size(); i += 3) {
    const auto n = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    for (unsigned shift : {18U, 12U, 6U, 0U}) out += kAlphabet[(n >> shift) & 63U];
  }
  const auto rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = byte(i) << 16U;
    if (rest == 2) n |= byte(i + 1) << 8U;
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

// A short, one-line excerpt of an answer for an error message.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 120)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > 120) out += "…";
  return out;
}

}  // namespace

Options options_from(const config::Settings& settings) {
  Options o;
  o.url = settings.uptime_kuma_url;
  o.api_key = settings.uptime_kuma_api_key;
  return o;
}

std::string basic_authorization(std::string_view api_key) {
  std::string credentials = ":";
  credentials += api_key;
  return "Basic " + encode_base64(credentials);
}

Monitors::Monitors(net::Client& http, Options options) : http_(http), options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

asio::awaitable<core::Expected<ports::MonitorCheck>> Monitors::status(std::string service,
                                                                      std::vector<std::string> hosts,
                                                                      core::Deadline deadline) {
  if (options_.url.empty()) {
    ports::MonitorCheck skipped;
    skipped.detail = "not configured";
    co_return skipped;
  }
  auto base = net::parse_url(options_.url);
  if (!base) {
    co_return failure(core::ErrorKind::bad_input, "UPTIME_KUMA_URL is not a usable URL: " + base.error().message);
  }
  const std::string host = base->authority();

  net::Request request;
  request.url = options_.url + "/metrics";
  // The classic text format: a Kuma behind a proxy that negotiates
  // OpenMetrics still answers what this parser reads.
  request.headers.set("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
  if (!options_.api_key.empty()) request.headers.set("Authorization", basic_authorization(options_.api_key.reveal()));
  net::RequestOptions ro;
  ro.deadline = core::within(deadline, options_.timeout);
  ro.max_body_bytes = options_.max_body_bytes;
  auto result = co_await http_.request(std::move(request), ro);
  if (!result) co_return failure(kind_of(result.failure().kind), result.failure().message);

  const auto& res = result.response();
  if (res.status == 401 || res.status == 403) {
    co_return failure(core::ErrorKind::unavailable,
                      options_.api_key.empty() ? "UPTIME_KUMA_API_KEY is empty and " + host + " requires one"
                                               : "UPTIME_KUMA_API_KEY was rejected by " + host);
  }
  if (res.status != 200) {
    co_return failure(core::ErrorKind::unavailable,
                      host + " answered " + std::to_string(res.status) + " (" + excerpt(res.body) + ")");
  }
  auto metrics = parse_exposition(res.body);
  if (!metrics) {
    co_return failure(core::ErrorKind::unavailable,
                      host + " did not answer Prometheus text: " + metrics.error().message);
  }
  const auto monitors = monitors_from(*metrics);
  auto check = select_monitor(monitors, service, hosts);
  spdlog::debug("uptime_kuma: {} monitors on {}; {}", monitors.size(), host, check.detail);
  co_return check;
}

}  // namespace ua::adapters::uptime_kuma
