#include "sandbox/uptime_kuma/kuma_simulator.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace ua::sandbox::uptime_kuma {

namespace asio = boost::asio;
using net::ServerRequest;
using net::ServerResponse;

namespace {

std::string number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Kuma 2's sanitizeForPrometheus: only [A-Za-z0-9_], not starting with a digit.
std::string sanitize(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '_') out += c;
  }
  const auto first = out.find_first_not_of("0123456789");
  return first == std::string::npos ? std::string() : out.substr(first);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

Labels labels_of(const Scenario& s, const Monitor& m) {
  Labels out;
  if (s.version == Version::v2) {
    // Tags first, sorted case-insensitively, several values of one tag joined.
    std::vector<std::pair<std::string, std::vector<std::string>>> tags;
    for (const auto& [name, value] : m.tags) {
      const auto key = sanitize(name);
      if (key.empty()) continue;
      auto it = std::find_if(tags.begin(), tags.end(), [&](const auto& t) { return t.first == key; });
      if (it == tags.end()) it = tags.insert(tags.end(), {key, {}});
      const auto v = sanitize(value);
      it->second.push_back(v.empty() ? key : v);
    }
    std::sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) { return lower(a.first) < lower(b.first); });
    for (auto& [key, values] : tags) {
      std::sort(values.begin(), values.end());
      std::string joined;
      for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
      out.emplace_back(key, joined);
    }
    out.emplace_back("monitor_id", std::to_string(m.id));
  }
  out.emplace_back("monitor_name", m.name);
  out.emplace_back("monitor_type", m.type);
  out.emplace_back("monitor_url", m.url);
  out.emplace_back("monitor_hostname", m.hostname);
  out.emplace_back("monitor_port", m.port);
  return out;
}

std::string series(std::string_view name, const Labels& labels) {
  std::string out(name);
  out += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  }
  out += '}';
  return out;
}

void header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
}

// Base64 of "user:password" from "Basic ...", decoded.
std::optional<std::string> basic_credentials(std::string_view header_value) {
  constexpr std::string_view kScheme = "basic ";
  if (header_value.size() < kScheme.size() || lower(header_value.substr(0, kScheme.size())) != kScheme) {
    return std::nullopt;
  }
  auto text = header_value.substr(kScheme.size());
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (c == '=') break;
    if (v < 0) return std::nullopt;
    acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Scenario contract_scenario() {
  Scenario s;
  s.version = Version::v1;
  s.monitors.push_back(Monitor{1, "Linkwarden", "http", "https://linkwarden.viktorbarzin.me", "null", "null", 1, {}, 142});
  s.monitors.push_back(Monitor{2, "Dawarich", "http", "https://dawarich.viktorbarzin.me", "null", "null", 0, {}, 0});
  s.monitors.push_back(Monitor{3, "Postgres (dbaas)", "port", "https://", "pg-cluster-rw.dbaas", "5432", 1, {}, 3});
  return s;
}

std::string render_metrics(const Scenario& s) {
  std::string out;
  header(out, "process_cpu_user_seconds_total", "Total user CPU time spent in seconds.", "counter");
  out += "process_cpu_user_seconds_total 12.345\n";
  header(out, "nodejs_gc_duration_seconds",
         "Garbage collection duration by kind, one of major, minor, incremental or weakcb.", "histogram");
  out += "nodejs_gc_duration_seconds_bucket{le=\"0.001\",kind=\"minor\"} 12\n";
  out += "nodejs_gc_duration_seconds_bucket{le=\"+Inf\",kind=\"minor\"} 40\n";
  out += "nodejs_gc_duration_seconds_sum{kind=\"minor\"} 0.25\n";
  out += "nodejs_gc_duration_seconds_count{kind=\"minor\"} 40\n";
  const auto stamp = s.timestamps ? " " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               std::chrono::system_clock::now().time_since_epoch())
                                                               .count())
                                  : std::string();
  const auto each = [&](std::string_view name, std::string_view help, auto value_of, bool https_only = false) {
    header(out, name, help, "gauge");
    for (const auto& m : s.monitors) {
      if (https_only && (m.type != "http" || m.url.rfind("https://", 0) != 0 || m.url.size() <= 8)) continue;
      out += series(name, labels_of(s, m)) + " " + number(value_of(m)) + stamp + "\n";
    }
  };
  each("monitor_cert_days_remaining", "The number of days remaining until the certificate expires",
       [](const Monitor&) { return 61.0; }, true);
  each("monitor_cert_is_valid", "Is the certificate still valid? (1 = Yes, 0= No)",
       [](const Monitor&) { return 1.0; }, true);
  if (s.version == Version::v2) {
    for (std::string_view metric : {"monitor_uptime_ratio", "monitor_response_time_seconds"}) {
      header(out, metric,
             metric == "monitor_uptime_ratio"
                 ? "Uptime ratio calculated over sliding window specified by the 'window' label. (0.0 - 1.0)"
                 : "Average response time in seconds calculated over sliding window specified by the 'window' label",
             "gauge");
      for (const auto& m : s.monitors) {
        for (std::string_view window : {"1d", "30d", "365d"}) {
          auto labels = labels_of(s, m);
          labels.emplace_back("window", std::string(window));
          const double v = metric == "monitor_uptime_ratio" ? (m.status == 0 ? 0.93 : 0.9991) : m.response_ms / 1000.0;
          out += series(metric, labels) + " " + number(v) + stamp + "\n";
        }
      }
    }
  }
  each("monitor_response_time", "Monitor Response Time (ms)", [](const Monitor& m) { return m.response_ms; });
  each("monitor_status", "Monitor Status (1 = UP, 0= DOWN, 2= PENDING, 3= MAINTENANCE)",
       [](const Monitor& m) { return static_cast<double>(m.status); });
  return out;
}

struct Simulator::State {
  Scenario scenario;
  std::vector<Received> requests;
  std::uint64_t next_id = 1;

  void assign_ids() {
    for (const auto& m : scenario.monitors) next_id = std::max(next_id, m.id + 1);
    for (auto& m : scenario.monitors) {
      if (m.id == 0) m.id = next_id++;
    }
  }

  ServerResponse handle(const ServerRequest& req) {
    Received entry{req.path, req.header("Authorization"), 0};
    ServerResponse res;
    if (req.path != "/metrics") {
      res = ServerResponse::text(404, "Not Found");
    } else if (scenario.auth && !authorized(req)) {
      res = ServerResponse::text(401, "Unauthorized");
      res.headers.set("WWW-Authenticate", "Basic realm=\"Authorization Required\"");
    } else {
      assign_ids();
      res = ServerResponse::text(200, render_metrics(scenario));
      res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    }
    entry.status = res.status;
    requests.push_back(std::move(entry));
    return res;
  }

  // Kuma's API keys: the user name is ignored, the password is the key.
  [[nodiscard]] bool authorized(const ServerRequest& req) const {
    const auto header_value = req.header("Authorization");
    if (!header_value) return false;
    const auto credentials = basic_credentials(*header_value);
    if (!credentials) return false;
    const auto colon = credentials->find(':');
    return colon != std::string::npos && credentials->substr(colon + 1) == scenario.api_key;
  }
};

Simulator::Simulator(asio::any_io_executor executor, Scenario scenario, net::ServerOptions options)
    : state_(std::make_shared<State>()) {
  state_->scenario = std::move(scenario);
  state_->assign_ids();
  net::Router router;
  router.add("GET", "/metrics", [state = state_](const ServerRequest& req) { return state->handle(req); });
  router.fallback([state = state_](const ServerRequest& req) -> asio::awaitable<ServerResponse> {
    co_return state->handle(req);
  });
  server_ = std::make_unique<net::Server>(std::move(executor), std::move(router), std::move(options));
}

Simulator::~Simulator() { stop(); }

core::Expected<std::uint16_t> Simulator::start() { return server_->start(); }
void Simulator::stop() { server_->stop(); }
std::string Simulator::url() const { return server_->url(); }

Scenario& Simulator::scenario() { return state_->scenario; }

Monitor* Simulator::monitor(std::string_view name) {
  for (auto& m : state_->scenario.monitors) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Monitor& Simulator::put(Monitor monitor) {
  if (Monitor* existing = this->monitor(monitor.name)) {
    if (monitor.id == 0) monitor.id = existing->id;
    *existing = std::move(monitor);
    state_->assign_ids();
    return *existing;
  }
  state_->scenario.monitors.push_back(std::move(monitor));
  state_->assign_ids();
  return state_->scenario.monitors.back();
}

bool Simulator::set_status(std::string_view name, int status) {
  Monitor* m = monitor(name);
  if (!m) return false;
  m->status = status;
  return true;
}

const std::vector<Received>& Simulator::requests() const { return state_->requests; }

}  // namespace ua::sandbox::uptime_kuma
