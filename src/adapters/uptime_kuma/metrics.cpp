#include "upgrade_agent/adapters/uptime_kuma/metrics.hpp"
#include "upgrade_agent/core/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ua::adapters::uptime_kuma {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

bool name_start(char c, bool colon_ok) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) != 0 || c == '_' || (colon_ok && c == ':');
}
bool name_char(char c, bool colon_ok) {
  return name_start(c, colon_ok) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

using core::lower;

// A cursor over one line; every reader leaves `pos` after what it consumed.
struct Line {
  std::string_view text;
  std::size_t pos = 0;

  [[nodiscard]] bool done() const { return pos >= text.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text[pos]; }
  void skip_blanks() {
    while (!done() && blank(text[pos])) ++pos;
  }
  std::string_view name(bool colon_ok) {
    const auto start = pos;
    if (done() || !name_start(text[pos], colon_ok)) return {};
    while (!done() && name_char(text[pos], colon_ok)) ++pos;
    return text.substr(start, pos - start);
  }
  std::string_view token() {
    const auto start = pos;
    while (!done() && !blank(text[pos])) ++pos;
    return text.substr(start, pos - start);
  }
};

core::Error line_error(std::size_t number, std::string_view why) {
  return core::make_error(core::ErrorKind::bad_input, "line " + std::to_string(number) + ": " + std::string(why),
                          "uptime_kuma", "read /metrics");
}

// Go's strconv.ParseFloat as Prometheus uses it: decimal or exponent forms,
// NaN, and Inf with an optional sign, case-insensitively.
std::optional<double> parse_value(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::string_view body = s;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  const auto word = lower(body);
  if (word == "inf" || word == "infinity") {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (word == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (body.empty() || (std::isdigit(static_cast<unsigned char>(body.front())) == 0 && body.front() != '.')) {
    return std::nullopt;
  }
  double v = 0;
  const auto* first = body.data();
  const auto* last = body.data() + body.size();
  const auto [end, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec != std::errc() || end != last) return std::nullopt;
  return negative ? -v : v;
}

std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  std::int64_t v = 0;
  const auto* first = s.data();
  const auto* last = s.data() + s.size();
  const auto [end, ec] = std::from_chars(first, last, v);
  if (s.empty() || ec != std::errc() || end != last) return std::nullopt;
  return v;
}

// HELP docstrings take \\ and \n; any other backslash stays as written.
std::string unescape_help(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == 'n')) {
      out += s[i + 1] == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `# HELP name doc`, `# TYPE name type`, or any other comment (ignored).
core::Expected<void> read_comment(Line& line, std::size_t number, Exposition& out) {
  ++line.pos;  // '#'
  line.skip_blanks();
  const auto keyword = line.token();
  if (keyword != "HELP" && keyword != "TYPE") return core::ok();
  line.skip_blanks();
  const auto name = line.name(true);
  if (name.empty()) return line_error(number, std::string(keyword) + " without a valid metric name");
  if (!line.done() && !blank(line.peek())) return line_error(number, "invalid metric name in " + std::string(keyword));
  line.skip_blanks();
  const auto rest = line.text.substr(line.pos);
  if (keyword == "HELP") {
    out.help[std::string(name)] = unescape_help(rest);
    return core::ok();
  }
  auto type = std::string(rest);
  while (!type.empty() && blank(type.back())) type.pop_back();
  static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram", "summary", "untyped"};
  if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
    return line_error(number, "unknown metric type '" + type + "'");
  }
  out.type[std::string(name)] = std::move(type);
  return core::ok();
}

core::Expected<std::string> read_label_value(Line& line, std::size_t number) {
  if (line.peek() != '"') return line_error(number, "label value does not start with '\"'");
  ++line.pos;
  std::string value;
  while (!line.done()) {
    const char c = line.text[line.pos++];
    if (c == '"') return value;
    if (c != '\\') {
      value += c;
      continue;
    }
    if (line.done()) break;
    const char e = line.text[line.pos++];
    if (e == '\\') {
      value += '\\';
    } else if (e == '"') {
      value += '"';
    } else if (e == 'n') {
      value += '\n';
    } else {
      return line_error(number, std::string("invalid escape sequence '\\") + e + "' in a label value");
    }
  }
  return line_error(number, "label value is not closed");
}

core::Expected<void> read_labels(Line& line, std::size_t number, Sample& sample) {
  ++line.pos;  // '{'
  for (;;) {
    line.skip_blanks();
    if (line.peek() == '}') {
      ++line.pos;
      return core::ok();
    }
    const auto name = line.name(false);
    if (name.empty()) return line_error(number, "invalid label name");
    line.skip_blanks();
    if (line.peek() != '=') return line_error(number, "expected '=' after label " + std::string(name));
    ++line.pos;
    line.skip_blanks();
    auto value = read_label_value(line, number);
    if (!value) return std::move(value).error();
    if (sample.label(name) != nullptr) return line_error(number, "label " + std::string(name) + " given twice");
    sample.labels.emplace_back(std::string(name), std::move(*value));
    line.skip_blanks();
    if (line.peek() == ',') {
      ++line.pos;
    } else if (line.peek() != '}') {
      return line_error(number, "expected ',' or '}' after a label");
    }
  }
}

core::Expected<Sample> read_sample(Line& line, std::size_t number) {
  Sample sample;
  const auto name = line.name(true);
  if (name.empty()) return line_error(number, "not a metric name");
  sample.name = std::string(name);
  const bool blank_after_name = blank(line.peek());
  line.skip_blanks();
  if (line.peek() == '{') {
    auto labels = read_labels(line, number, sample);
    if (!labels) return labels.error();
    line.skip_blanks();
  } else if (!blank_after_name && !line.done()) {
    return line_error(number, "invalid character in the metric name");
  }
  const auto value_text = line.token();
  const auto value = parse_value(value_text);
  if (!value) return line_error(number, "invalid value '" + std::string(value_text.substr(0, 40)) + "'");
  sample.value = *value;
  line.skip_blanks();
  if (!line.done()) {
    const auto stamp_text = line.token();
    const auto stamp = parse_timestamp(stamp_text);
    if (!stamp) return line_error(number, "invalid timestamp '" + std::string(stamp_text.substr(0, 40)) + "'");
    sample.timestamp_ms = *stamp;
    line.skip_blanks();
    if (!line.done()) return line_error(number, "unexpected text after the timestamp");
  }
  return sample;
}

}  // namespace

const std::string* Sample::label(std::string_view key) const {
  for (const auto& entry : labels) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

core::Expected<Exposition> parse_exposition(std::string_view text) {
  Exposition out;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    auto raw = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    Line line{raw, 0};
    line.skip_blanks();
    if (line.done()) continue;
    if (line.peek() == '#') {
      auto comment = read_comment(line, number, out);
      if (!comment) return comment.error();
      continue;
    }
    auto sample = read_sample(line, number);
    if (!sample) return std::move(sample).error();
    out.samples.push_back(std::move(*sample));
  }
  return out;
}

std::vector<KumaMonitor> monitors_from(const Exposition& metrics) {
  std::vector<KumaMonitor> out;
  for (const auto& s : metrics.samples) {
    if (s.name != "monitor_status") continue;
    KumaMonitor m;
    const auto get = [&s](std::string_view key) {
      const auto* v = s.label(key);
      return v != nullptr ? *v : std::string();
    };
    m.name = get("monitor_name");
    m.type = get("monitor_type");
    m.url = get("monitor_url");
    m.id = get("monitor_id");
    m.status = s.value;
    out.push_back(std::move(m));
  }
  return out;
}

std::string url_host(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, std::min(rest.size(), rest.find_first_of("/?#")));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    return close == std::string_view::npos ? std::string() : lower(rest.substr(1, close - 1));
  }
  if (const auto colon = rest.find(':'); colon != std::string_view::npos) rest = rest.substr(0, colon);
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);  // "host." is the same host
  return lower(rest);
}

ports::MonitorState state_of(double status) noexcept {
  if (status == 0) return ports::MonitorState::down;
  if (status == 1) return ports::MonitorState::up;
  if (status == 3) return ports::MonitorState::maintenance;
  return ports::MonitorState::pending;  // 2, and values this version does not know
}

std::string_view to_string(ports::MonitorState state) noexcept {
  switch (state) {
    case ports::MonitorState::up: return "up";
    case ports::MonitorState::down: return "down";
    case ports::MonitorState::pending: return "pending";
    case ports::MonitorState::maintenance: return "maintenance";
    case ports::MonitorState::no_monitor: return "no monitor";
  }
  return "unknown";
}

namespace {

// Lower is worse news: the state that decides when several monitors match.
int news_rank(ports::MonitorState s) {
  switch (s) {
    case ports::MonitorState::down: return 0;
    case ports::MonitorState::pending: return 1;
    case ports::MonitorState::up: return 2;
    case ports::MonitorState::maintenance: return 3;
    case ports::MonitorState::no_monitor: return 4;
  }
  return 4;
}

std::string describe_status(double status) {
  const auto state = state_of(status);
  const bool known = status == 0 || status == 1 || status == 2 || status == 3;
  if (known) return std::string(to_string(state));
  // Any double may come (1.5, 1e300): printed as written, never cast to an
  // integer it may not fit.
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%g", status);
  const std::string value = std::isfinite(status) ? std::string(text.data()) : std::string("not a number");
  return "pending (monitor_status " + value + " is not a known state)";
}

}  // namespace

ports::MonitorCheck select_monitor(const std::vector<KumaMonitor>& monitors, std::string_view service,
                                   const std::vector<std::string>& hosts) {
  std::vector<std::string> wanted_hosts;
  for (const auto& h : hosts) {
    auto host = url_host("x://" + h);
    if (!host.empty()) wanted_hosts.push_back(std::move(host));
  }
  const auto wanted_name = lower(service);
  std::vector<const KumaMonitor*> by_name;
  std::vector<const KumaMonitor*> by_host;
  for (const auto& m : monitors) {
    if (!wanted_name.empty() && lower(m.name) == wanted_name) {
      by_name.push_back(&m);
      continue;
    }
    const auto host = url_host(m.url);
    if (!host.empty() && std::find(wanted_hosts.begin(), wanted_hosts.end(), host) != wanted_hosts.end()) {
      by_host.push_back(&m);
    }
  }
  ports::MonitorCheck out;
  const auto& pool = by_name.empty() ? by_host : by_name;
  if (pool.empty()) {
    std::string hosts_text;
    for (const auto& h : wanted_hosts) hosts_text += (hosts_text.empty() ? "" : ", ") + h;
    out.detail = "no Uptime Kuma monitor named '" + std::string(service) + "'" +
                 (hosts_text.empty() ? std::string() : " or watching " + hosts_text);
    return out;
  }
  const auto* chosen = *std::min_element(pool.begin(), pool.end(), [](const KumaMonitor* a, const KumaMonitor* b) {
    return news_rank(state_of(a->status)) < news_rank(state_of(b->status));
  });
  out.state = state_of(chosen->status);
  out.monitor = chosen->name;
  out.detail = "Uptime Kuma monitor '" + chosen->name + "'" +
               (by_name.empty() ? " (watching " + url_host(chosen->url) + ")" : std::string()) + ": " +
               describe_status(chosen->status);
  std::string others;
  for (const auto* m : pool) {
    if (m == chosen) continue;
    others += (others.empty() ? "" : ", ") + ("'" + m->name + "' " + describe_status(m->status));
  }
  if (!others.empty()) out.detail += "; also matching: " + others;
  return out;
}

}  // namespace ua::adapters::uptime_kuma
