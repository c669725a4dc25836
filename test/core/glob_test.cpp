#include <boost/test/unit_test.hpp>

#include <string>

#include "upgrade_agent/core/glob.hpp"

using ua::core::glob_match;

BOOST_AUTO_TEST_SUITE(glob)

BOOST_AUTO_TEST_CASE(shell_style_patterns) {
  BOOST_TEST(glob_match("viktorbarzin/*", "viktorbarzin/infra-cli"));
  BOOST_TEST(!glob_match("viktorbarzin/*", "docker.io/viktorbarzin/infra-cli"));
  BOOST_TEST(glob_match("*postgres*", "ghcr.io/immich-app/postgres"));
  BOOST_TEST(glob_match("*postgres*", "postgres"));
  BOOST_TEST(glob_match("registry.k8s.io/*", "registry.k8s.io/ingress-nginx/controller"));  // * crosses '/'
  BOOST_TEST(!glob_match("registry.k8s.io/*", "registry.k8s.io"));
  BOOST_TEST(glob_match("a?c", "abc"));
  BOOST_TEST(!glob_match("a?c", "ac"));
  BOOST_TEST(glob_match("*", ""));
  BOOST_TEST(glob_match("", ""));
  BOOST_TEST(!glob_match("", "a"));
  BOOST_TEST(glob_match("**a**b**", "xxaxxbxx"));
  BOOST_TEST(!glob_match("*a*b", "ba"));
}

BOOST_AUTO_TEST_CASE(pathological_patterns_finish) {
  const std::string text(5000, 'a');
  BOOST_TEST(!glob_match("*a*a*a*a*a*a*a*a*a*b", text));
}

BOOST_AUTO_TEST_SUITE_END()
