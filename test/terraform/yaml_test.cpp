#include <boost/test/unit_test.hpp>

#include <string>

#include "upgrade_agent/terraform/yaml_scan.hpp"

namespace yaml = ua::terraform::yaml;

namespace {

const yaml::Scalar* find(const std::vector<yaml::Scalar>& v, std::string_view key, std::string_view parent = {}) {
  for (const auto& s : v) {
    if (s.key == key && (parent.empty() || s.parent_key == parent)) return &s;
  }
  return nullptr;
}

std::string value(const std::string& text, const yaml::Scalar* s) {
  return s ? text.substr(s->begin, s->end - s->begin) : std::string("<none>");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(yaml_scan)

BOOST_AUTO_TEST_CASE(nested_mappings_share_ids) {
  const std::string t = "image:\n  repository: grafana/grafana\n  tag: \"11.4.0\"   # pinned\nsidecar:\n  image:\n"
                        "    repository: quay.io/kiwigrid/k8s-sidecar\n    tag: 1.28.0\n";
  const auto s = yaml::scan(t);
  const auto* repo = find(s, "repository", "image");
  const auto* tag = find(s, "tag", "image");
  BOOST_REQUIRE(repo);
  BOOST_REQUIRE(tag);
  BOOST_TEST(value(t, repo) == "grafana/grafana");
  BOOST_TEST(value(t, tag) == "11.4.0");
  BOOST_TEST(tag->quote == '"');
  BOOST_TEST(repo->mapping == tag->mapping);
  const auto* side_tag = &s.back();
  BOOST_TEST(value(t, side_tag) == "1.28.0");
  BOOST_TEST(side_tag->quote == 0);
  BOOST_TEST(side_tag->mapping != tag->mapping);
}

BOOST_AUTO_TEST_CASE(sequences_of_mappings) {
  const std::string t = "containers:\n  - name: a\n    image: nginx:1.25\n  - name: b\n    image: 'redis:7'\n";
  const auto s = yaml::scan(t);
  std::vector<const yaml::Scalar*> images;
  for (const auto& x : s) {
    if (x.key == "image") images.push_back(&x);
  }
  BOOST_REQUIRE_EQUAL(images.size(), 2U);
  BOOST_TEST(value(t, images[0]) == "nginx:1.25");
  BOOST_TEST(value(t, images[1]) == "redis:7");
  BOOST_TEST(images[0]->parent_key == "containers");
  BOOST_TEST(images[0]->mapping != images[1]->mapping);
}

BOOST_AUTO_TEST_CASE(comments_are_not_values) {
  const std::string t = "# image: nginx:1.0\nkey: value # nginx:2.0\n  # tag: 3\n";
  const auto s = yaml::scan(t);
  BOOST_REQUIRE_EQUAL(s.size(), 1U);
  BOOST_TEST(value(t, &s[0]) == "value");
}

BOOST_AUTO_TEST_CASE(quoted_scalars_with_escapes_and_colons) {
  const std::string t = "a: \"x: \\\"y\\\"\"\nb: 'it''s'\n\"c d\": 'v'\n";
  const auto s = yaml::scan(t);
  BOOST_TEST(value(t, find(s, "a")) == "x: \\\"y\\\"");
  BOOST_TEST(value(t, find(s, "b")) == "it''s");
  BOOST_TEST(value(t, find(s, "c d")) == "v");
}

BOOST_AUTO_TEST_CASE(block_scalars_and_flow_mappings) {
  const std::string t = "script: |\n  docker pull nginx:1.2\n  echo done\nimage: {repository: nginx, tag: \"1.3\"}\n"
                        "next: 1\n";
  const auto s = yaml::scan(t);
  const auto* script = find(s, "script");
  BOOST_REQUIRE(script);
  BOOST_TEST(script->block);
  BOOST_TEST(value(t, script).find("nginx:1.2") != std::string::npos);
  const auto* repo = find(s, "repository", "image");
  const auto* tag = find(s, "tag", "image");
  BOOST_REQUIRE(repo);
  BOOST_REQUIRE(tag);
  BOOST_TEST(value(t, tag) == "1.3");
  BOOST_TEST(repo->mapping == tag->mapping);
  BOOST_TEST(value(t, find(s, "next")) == "1");
}

BOOST_AUTO_TEST_CASE(crlf_lines) {
  const std::string t = "image:\r\n  tag: v1\r\n";
  const auto s = yaml::scan(t);
  BOOST_TEST(value(t, find(s, "tag")) == "v1");
}

BOOST_AUTO_TEST_CASE(documents_reset_structure) {
  const std::string t = "a:\n  tag: 1\n---\ntag: 2\n";
  const auto s = yaml::scan(t);
  BOOST_REQUIRE_EQUAL(s.size(), 2U);
  BOOST_TEST(s[1].parent_key.empty());
}

BOOST_AUTO_TEST_SUITE_END()
