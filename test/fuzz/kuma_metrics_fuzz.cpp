// Uptime Kuma's /metrics text (Prometheus exposition 0.0.4): no crash; what
// parses, written back in canonical form, parses to the same samples; every
// monitor comes from a monitor_status sample; a monitor is "up" only for
// status exactly 1, and the selected one is one of the candidates.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "upgrade_agent/adapters/uptime_kuma/metrics.hpp"

namespace kuma = ua::adapters::uptime_kuma;

namespace {

std::string escaped(std::string_view value) {
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

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string canonical(const kuma::Exposition& e) {
  std::string out;
  for (const auto& s : e.samples) {
    out += s.name;
    if (!s.labels.empty()) {
      out += '{';
      for (std::size_t i = 0; i < s.labels.size(); ++i) {
        out += (i > 0 ? "," : "") + s.labels[i].first + "=\"" + escaped(s.labels[i].second) + "\"";
      }
      out += '}';
    }
    out += " " + number(s.value);
    if (s.timestamp_ms) out += " " + std::to_string(*s.timestamp_ms);
    out += '\n';
  }
  return out;
}

bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = kuma::parse_exposition(text);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();  // a refusal says why
    return 0;
  }
  const auto again = kuma::parse_exposition(canonical(*parsed));
  if (!again || again->samples.size() != parsed->samples.size()) std::abort();
  std::size_t status_samples = 0;
  for (std::size_t i = 0; i < parsed->samples.size(); ++i) {
    const auto& a = parsed->samples[i];
    const auto& b = again->samples[i];
    if (a.name.empty() || a.name != b.name || a.labels != b.labels || a.timestamp_ms != b.timestamp_ms) std::abort();
    if (!same_value(a.value, b.value)) std::abort();
    if (a.name == "monitor_status") ++status_samples;
  }
  const auto monitors = kuma::monitors_from(*parsed);
  if (monitors.size() > status_samples) std::abort();
  for (const auto& m : monitors) {
    const bool up = kuma::state_of(m.status) == ua::ports::MonitorState::up;
    if (up != (m.status == 1.0)) std::abort();
  }
  const std::string service = monitors.empty() ? std::string("immich") : monitors.front().name;
  const auto check = kuma::select_monitor(monitors, service, {"immich.example.org"});
  if (check.state != ua::ports::MonitorState::no_monitor) {
    bool known = false;
    for (const auto& m : monitors) known = known || (m.name == check.monitor && kuma::state_of(m.status) == check.state);
    if (!known) std::abort();
  } else if (!monitors.empty() && !monitors.front().name.empty()) {
    std::abort();  // the first monitor's own name always matches
  }
  return 0;
}
