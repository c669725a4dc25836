#include "upgrade_agent/net/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace ua::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

template <class Int>
std::optional<Int> to_number(std::string_view s) {
  Int value{};
  if (s.empty()) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return i + 1;
  }
  return std::nullopt;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const auto start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::chrono::seconds> clock_time(std::string_view hms) {
  if (hms.size() != 8 || hms[2] != ':' || hms[5] != ':') return std::nullopt;
  const auto h = to_number<int>(hms.substr(0, 2));
  const auto m = to_number<int>(hms.substr(3, 2));
  const auto s = to_number<int>(hms.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*s);
}

std::optional<std::chrono::system_clock::time_point> make_time(int year, unsigned month, unsigned day,
                                                               std::chrono::seconds time_of_day) {
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + time_of_day;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  const auto parts = split_ws(trim(text));
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    const auto day = to_number<unsigned>(parts[1]);
    const auto month = month_number(parts[2]);
    const auto year = to_number<int>(parts[3]);
    const auto tod = clock_time(parts[4]);
    if (day && month && year && tod) return make_time(*year, *month, *day, *tod);
    return std::nullopt;
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT" && parts[1].size() == 9) {
    const auto day = to_number<unsigned>(parts[1].substr(0, 2));
    const auto month = month_number(parts[1].substr(3, 3));
    auto year = to_number<int>(parts[1].substr(7, 2));
    const auto tod = clock_time(parts[2]);
    if (!day || !month || !year || !tod) return std::nullopt;
    *year += *year < 70 ? 2000 : 1900;
    return make_time(*year, *month, *day, *tod);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5) {
    const auto month = month_number(parts[1]);
    const auto day = to_number<unsigned>(parts[2]);
    const auto tod = clock_time(parts[3]);
    const auto year = to_number<int>(parts[4]);
    if (day && month && year && tod) return make_time(*year, *month, *day, *tod);
  }
  return std::nullopt;
}

std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (const auto seconds = to_number<std::uint64_t>(value)) {
    // Anything beyond a day is as good as "not within any deadline".
    return std::chrono::seconds(std::min<std::uint64_t>(*seconds, 86400));
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return Duration(0);
  return std::chrono::duration_cast<Duration>(*when - now);
}

std::optional<Duration> parse_ratelimit_reset(std::string_view value, std::chrono::system_clock::time_point now) {
  const auto epoch = to_number<std::int64_t>(trim(value));
  if (!epoch) return std::nullopt;
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(*epoch));
  if (when <= now) return Duration(0);
  return std::chrono::duration_cast<Duration>(when - now);
}

Duration backoff_delay(unsigned retry, Duration initial, Duration max, std::uint64_t random) {
  if (retry == 0) retry = 1;
  auto delay = initial;
  for (unsigned i = 1; i < retry && delay < max; ++i) delay *= 2;
  delay = std::min(delay, max);
  const auto half = delay.count() / 2;
  const auto span = static_cast<std::uint64_t>(delay.count() - half) + 1;
  return Duration(half + static_cast<Duration::rep>(random % span));
}

bool retryable_status(int status) noexcept {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

}  // namespace ua::net
