#include <boost/test/unit_test.hpp>

#include <set>

#include "upgrade_agent/net/retry.hpp"

using namespace std::chrono;
using ua::net::Duration;

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(retry_after_seconds_and_dates) {
  const auto now = system_clock::time_point(seconds(784111777));  // Sun, 06 Nov 1994 08:49:37 GMT
  BOOST_TEST(ua::net::parse_retry_after("120", now)->count() == 120000);
  BOOST_TEST(ua::net::parse_retry_after(" 0 ", now)->count() == 0);
  BOOST_TEST(ua::net::parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now)->count() == 10000);
  BOOST_TEST(ua::net::parse_retry_after("Sunday, 06-Nov-94 08:49:57 GMT", now)->count() == 20000);
  BOOST_TEST(ua::net::parse_retry_after("Sun Nov  6 08:50:37 1994", now)->count() == 60000);
  BOOST_TEST(ua::net::parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now)->count() == 0);  // past
  BOOST_TEST(!ua::net::parse_retry_after("soon", now));
  BOOST_TEST(!ua::net::parse_retry_after("-5", now));
  BOOST_TEST(!ua::net::parse_retry_after("Sun, 31 Feb 1994 08:49:47 GMT", now));
  // A day at most: anything longer is beyond every deadline anyway.
  BOOST_TEST(ua::net::parse_retry_after("99999999999", now)->count() == 86400000);
}

BOOST_AUTO_TEST_CASE(ratelimit_reset_epoch) {
  const auto now = system_clock::time_point(seconds(1700000000));
  BOOST_TEST(ua::net::parse_ratelimit_reset("1700000030", now)->count() == 30000);
  BOOST_TEST(ua::net::parse_ratelimit_reset("1600000000", now)->count() == 0);
  BOOST_TEST(!ua::net::parse_ratelimit_reset("later", now));
}

BOOST_AUTO_TEST_CASE(backoff_grows_is_capped_and_jittered) {
  const Duration initial(100);
  const Duration cap(1000);
  for (std::uint64_t r = 0; r < 200; r += 7) {
    const auto d1 = ua::net::backoff_delay(1, initial, cap, r);
    const auto d3 = ua::net::backoff_delay(3, initial, cap, r);
    const auto d9 = ua::net::backoff_delay(9, initial, cap, r);
    BOOST_TEST((d1 >= Duration(50) && d1 <= Duration(100)));
    BOOST_TEST((d3 >= Duration(200) && d3 <= Duration(400)));
    BOOST_TEST((d9 >= Duration(500) && d9 <= Duration(1000)));
  }
  std::set<Duration::rep> distinct;
  for (std::uint64_t r = 0; r < 50; ++r) distinct.insert(ua::net::backoff_delay(4, initial, cap, r * 2654435761U).count());
  BOOST_TEST(distinct.size() > 10U);  // jitter spreads retries
}

BOOST_AUTO_TEST_CASE(retryable_statuses) {
  for (int s : {429, 500, 502, 503, 504}) BOOST_TEST(ua::net::retryable_status(s));
  for (int s : {200, 301, 400, 401, 403, 404, 501}) BOOST_TEST(!ua::net::retryable_status(s));
}

BOOST_AUTO_TEST_SUITE_END()
