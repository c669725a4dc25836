#include <boost/test/unit_test.hpp>

#include "upgrade_agent/net/url.hpp"

using ua::net::parse_url;
using ua::net::resolve_reference;

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(parses_scheme_host_port_target) {
  auto u = parse_url("https://API.GitHub.com/repos/o/r/releases?per_page=100&page=2#frag");
  BOOST_REQUIRE(u);
  BOOST_TEST(u->scheme == "https");
  BOOST_TEST(u->host == "api.github.com");
  BOOST_TEST(u->port == 443);
  BOOST_TEST(u->target == "/repos/o/r/releases?per_page=100&page=2");
  BOOST_TEST(u->path() == "/repos/o/r/releases");
  BOOST_TEST(u->authority() == "api.github.com");
  BOOST_TEST(u->for_messages() == "https://api.github.com/repos/o/r/releases");
  BOOST_TEST(u->for_messages(true) == "https://api.github.com/…");

  auto v = parse_url("http://127.0.0.1:8080");
  BOOST_REQUIRE(v);
  BOOST_TEST(v->port == 8080);
  BOOST_TEST(v->target == "/");
  BOOST_TEST(v->authority() == "127.0.0.1:8080");

  auto w = parse_url("http://[::1]:9000/x?y");
  BOOST_REQUIRE(w);
  BOOST_TEST(w->host == "::1");
  BOOST_TEST(w->authority() == "[::1]:9000");
  BOOST_TEST(w->target == "/x?y");

  auto q = parse_url("http://h?x=1");
  BOOST_REQUIRE(q);
  BOOST_TEST(q->target == "/?x=1");
}

BOOST_AUTO_TEST_CASE(rejects_bad_urls_with_reasons) {
  BOOST_TEST(parse_url("ftp://x/").error().message.find("scheme") != std::string::npos);
  BOOST_TEST(parse_url("api.github.com/x").error().message.find("scheme") != std::string::npos);
  BOOST_TEST(parse_url("https://user:pw@host/").error().message.find("credentials") != std::string::npos);
  BOOST_TEST(!parse_url("https://host:0/"));
  BOOST_TEST(!parse_url("https://host:70000/"));
  BOOST_TEST(!parse_url("https://host:12a/"));
  BOOST_TEST(!parse_url("https:///path"));
  BOOST_TEST(!parse_url("https://ho st/"));
  BOOST_TEST(!parse_url("https://host/a b"));
  BOOST_TEST(!parse_url("https://host/a\r\nX-Injected: 1"));
}

BOOST_AUTO_TEST_CASE(resolves_redirect_locations) {
  const auto base = *parse_url("https://api.github.com/repos/a/b/releases?page=2");
  BOOST_TEST(resolve_reference(base, "https://other.example/x")->to_string() == "https://other.example/x");
  BOOST_TEST(resolve_reference(base, "//cdn.example/y")->to_string() == "https://cdn.example/y");
  BOOST_TEST(resolve_reference(base, "/repositories/42")->to_string() == "https://api.github.com/repositories/42");
  BOOST_TEST(resolve_reference(base, "tags")->to_string() == "https://api.github.com/repos/a/b/tags");
  BOOST_TEST(resolve_reference(base, "../c/releases")->to_string() == "https://api.github.com/repos/a/c/releases");
  BOOST_TEST(resolve_reference(base, "?page=3")->to_string() == "https://api.github.com/repos/a/b/releases?page=3");
  BOOST_TEST(resolve_reference(base, "/a/./b/../c")->to_string() == "https://api.github.com/a/c");
  BOOST_TEST(!resolve_reference(base, "/bad path"));
  BOOST_TEST(!resolve_reference(base, "gopher://x/"));
}

BOOST_AUTO_TEST_CASE(percent_encodes) {
  BOOST_TEST(ua::net::percent_encode("a b/c~d") == "a%20b%2Fc~d");
}

BOOST_AUTO_TEST_SUITE_END()
