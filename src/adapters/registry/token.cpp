#include "upgrade_agent/adapters/registry/token.hpp"

#include <boost/json.hpp>

#include <ctime>

namespace ua::adapters::registry {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxTokenBytes = 64U << 10U;

core::Error bad(std::string message) {
  return core::make_error(core::ErrorKind::unavailable, std::move(message), "registry", "get token");
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

core::Expected<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second) || month < 1 ||
      month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return core::make_error("not an RFC 3339 time");
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;  // fractions of a second do not matter here
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om)) {
      return core::make_error("not an RFC 3339 time");
    }
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
    i += 6;
  } else {
    return core::make_error("not an RFC 3339 time (no zone)");
  }
  if (i != s.size()) return core::make_error("not an RFC 3339 time");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t - offset);
}

core::Expected<TokenAnswer> parse_token_answer(std::string_view body, std::chrono::system_clock::time_point now) {
  if (body.size() > kMaxTokenBytes) return bad("the token answer is larger than 64 KiB");
  json::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return bad("the token service did not answer a JSON object");
  const auto& o = doc.as_object();
  TokenAnswer out;
  for (std::string_view key : {"token", "access_token"}) {
    if (const auto* v = o.if_contains(key); v != nullptr && v->is_string() && !v->as_string().empty()) {
      out.token = std::string(v->as_string());
      break;
    }
  }
  if (out.token.empty()) return bad("the token service answered without a token");
  for (char c : out.token) {
    // It goes into a header: a control character or space would split it.
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("the token service answered a malformed token");
  }
  std::chrono::seconds lifetime = kMinTokenLifetime;
  if (const auto* v = o.if_contains("expires_in"); v != nullptr && v->is_number()) {
    const double seconds = v->to_number<double>();
    if (seconds > static_cast<double>(kMinTokenLifetime.count()) && seconds < 1e9) {
      lifetime = std::chrono::seconds(static_cast<long long>(seconds));
    }
  }
  auto issued = now;
  if (const auto* v = o.if_contains("issued_at"); v != nullptr && v->is_string()) {
    if (auto t = parse_rfc3339(std::string_view(v->as_string())); t && *t < now) issued = *t;
  }
  out.expires = issued + lifetime;
  return out;
}

}  // namespace ua::adapters::registry
