// net's failures become core::Error by kind, with the operation apart from
// the reason, and neither carries the query string.
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include "net/client_fixture.hpp"
#include "upgrade_agent/net/error.hpp"

using namespace std::chrono_literals;
using ua::core::ErrorKind;
using ua::net::FailureKind;

BOOST_AUTO_TEST_SUITE(net_error)

BOOST_AUTO_TEST_CASE(every_failure_kind_maps_by_kind) {
  const std::pair<FailureKind, ErrorKind> table[] = {
      {FailureKind::cancelled, ErrorKind::cancelled},
      {FailureKind::timeout, ErrorKind::timeout},
      {FailureKind::invalid_request, ErrorKind::bad_input},
      {FailureKind::resolve, ErrorKind::unavailable},
      {FailureKind::connect, ErrorKind::unavailable},
      {FailureKind::tls, ErrorKind::unavailable},
      {FailureKind::connection, ErrorKind::unavailable},
      {FailureKind::protocol, ErrorKind::unavailable},
      {FailureKind::body_too_large, ErrorKind::unavailable},
      {FailureKind::too_many_redirects, ErrorKind::unavailable},
  };
  for (const auto& [failure, error] : table) {
    BOOST_TEST(ua::net::error_kind(failure) == error, failure);
    // The kind alone decides: a message that reads like another kind does not.
    const ua::net::Failure f{failure, "GET https://h/p: cancelled (timed out)", "GET https://h/p"};
    const auto e = ua::net::to_error(f, "github");
    BOOST_TEST(e.kind == error, failure);
    BOOST_TEST(e.system == "github");
    BOOST_TEST(e.operation == "GET https://h/p");
    BOOST_TEST(e.message == "cancelled (timed out)");
  }
}

BOOST_AUTO_TEST_CASE(a_message_without_the_operation_prefix_is_kept_whole) {
  const ua::net::Failure f{FailureKind::invalid_request, "invalid HTTP method", ""};
  const auto e = ua::net::to_error(f, "slack");
  BOOST_TEST(e.kind == ErrorKind::bad_input);
  BOOST_TEST(e.message == "invalid HTTP method");
  BOOST_TEST(e.operation.empty());
  BOOST_TEST(e.describe() == "slack: invalid HTTP method");
}

BOOST_FIXTURE_TEST_CASE(a_real_timeout_names_the_request_without_its_query, ua::test::ClientFixture) {
  ua::net::Router router;
  router.add_async("GET", "/slow", [](const ua::net::ServerRequest&) {
    return ua::test::delayed(5s, ua::net::ServerResponse::text(200, "late"));
  });
  auto& server = serve(std::move(router));
  auto options = fast_options();
  options.read_timeout = 150ms;
  options.max_attempts = 1;
  ua::net::Client client(io.get_executor(), options);
  const auto r = get(client, server.url() + "/slow?access_token=SECRET");
  BOOST_REQUIRE(!r.has_response());
  const auto e = ua::net::to_error(r.failure(), "github");
  BOOST_TEST(e.kind == ErrorKind::timeout);
  BOOST_TEST(e.operation == "GET " + server.url() + "/slow");
  BOOST_TEST(e.message.find("no progress within 150ms") == 0U, e.message);
  BOOST_TEST(e.describe().find("SECRET") == std::string::npos);
  BOOST_TEST(e.describe().find('?') == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_refused_connection_is_unavailable_and_a_bad_url_bad_input, ua::test::ClientFixture) {
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto options = fast_options();
  options.max_attempts = 1;
  ua::net::Client client(io.get_executor(), options);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const auto refused = ua::net::to_error(get(client, base + "/x?token=SECRET").failure(), "helm");
  BOOST_TEST(refused.kind == ErrorKind::unavailable);
  BOOST_TEST(refused.operation == "GET " + base + "/x");
  BOOST_TEST(refused.message.find("cannot connect") == 0U, refused.message);
  BOOST_TEST(refused.describe().find("SECRET") == std::string::npos);

  const auto bad = ua::net::to_error(get(client, "ftp://example.test/x").failure(), "helm");
  BOOST_TEST(bad.kind == ErrorKind::bad_input);
  BOOST_TEST(bad.operation == "GET");
  BOOST_TEST(bad.message.find("invalid URL") == 0U, bad.message);
}

BOOST_AUTO_TEST_SUITE_END()
