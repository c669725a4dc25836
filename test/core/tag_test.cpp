#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "upgrade_agent/core/tag.hpp"

using ua::core::JumpKind;
using ua::core::parse_tag;
using ua::core::Tag;

namespace {

struct Parsed {
  const char* text;
  const char* prefix;
  std::vector<std::uint64_t> release;
  const char* prerelease;
  const char* variant;
  const char* revision;
};

// Tags people really push (from the seed's history and REAL-WORLD.md).
const Parsed kParsed[] = {
    {"v2.7.4", "v", {2, 7, 4}, "", "", ""},
    {"1.35.7", "", {1, 35, 7}, "", "", ""},
    {"4.6.3-r1", "", {4, 6, 3}, "", "", "r1"},
    {"4.10.0-r1", "", {4, 10, 0}, "", "", "r1"},
    {"2026.2.3", "", {2026, 2, 3}, "", "", ""},
    {"1.0.20260223", "", {1, 0, 20260223}, "", "", ""},
    {"v0.8.12", "v", {0, 8, 12}, "", "", ""},
    {"3.3.1.0", "", {3, 3, 1, 0}, "", "", ""},
    {"8.25", "", {8, 25}, "", "", ""},
    {"v25.12.30-cu128", "v", {25, 12, 30}, "", "cu128", ""},
    {"0.17.0-beta1-tensorrt", "", {0, 17, 0}, "beta1", "tensorrt", ""},
    {"15-vectorchord0.4.3-pgvectors0.2.0", "", {15}, "", "vectorchord0.4.3-pgvectors0.2.0", ""},
    {"2.10.2-alpine", "", {2, 10, 2}, "", "alpine", ""},
    {"immich_v3", "immich_v", {3}, "", "", ""},
    {"v2.7.4-cuda", "v", {2, 7, 4}, "", "cuda", ""},
    {"1.2.3-debug", "", {1, 2, 3}, "", "debug", ""},
    {"8.2-apache", "", {8, 2}, "", "apache", ""},
    {"5.0.3-r0-ls376", "", {5, 0, 3}, "", "", "r0-ls376"},
    {"1.0.0-rc.1", "", {1, 0, 0}, "rc.1", "", ""},
    {"2.0.0-alpha-2", "", {2, 0, 0}, "alpha-2", "", ""},
    {"3.11b2", "", {3, 11}, "b2", "", ""},
    {"v1.2.3rc1", "v", {1, 2, 3}, "rc1", "", ""},
    {"1.25.3-alpine3.19", "", {1, 25, 3}, "", "alpine3.19", ""},
    {"2024.01.05", "", {2024, 1, 5}, "", "", ""},
    {"1.2.3-1", "", {1, 2, 3}, "", "", "1"},
    {"release-1.4", "release-", {1, 4}, "", "", ""},
    {"version-4.6.3", "version-", {4, 6, 3}, "", "", ""},
    {"1.2.3_alpine", "", {1, 2, 3}, "", "alpine", ""},
};

const char* const kNotVersions[] = {"stable", "latest", "edge", "nightly", "main", "sha-1a2b3c4",
                                    "1a2b3c4d", "20260223123456789012345", "_x"};

bool less(const char* a, const char* b) {
  return ua::core::compare(*parse_tag(a), *parse_tag(b)) == std::partial_ordering::less;
}
bool unordered(const char* a, const char* b) {
  return ua::core::compare(*parse_tag(a), *parse_tag(b)) == std::partial_ordering::unordered;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tag)

BOOST_AUTO_TEST_CASE(parses_the_parts_of_real_tags) {
  for (const auto& row : kParsed) {
    BOOST_TEST_CONTEXT(row.text) {
      auto tag = parse_tag(row.text);
      BOOST_TEST_REQUIRE(tag.has_value());
      BOOST_TEST(tag->raw == row.text);
      BOOST_TEST(tag->prefix == row.prefix);
      BOOST_TEST(tag->release == row.release, boost::test_tools::per_element());
      BOOST_TEST(tag->prerelease == row.prerelease);
      BOOST_TEST(tag->variant == row.variant);
      BOOST_TEST(tag->revision == row.revision);
      BOOST_TEST(tag->is_version());
    }
  }
  BOOST_TEST(parse_tag("2024.01.05")->release_string() == "2024.01.05");
  BOOST_TEST(parse_tag("v2.7.4-cuda")->release_string() == "2.7.4");
}

BOOST_AUTO_TEST_CASE(words_and_hashes_are_not_versions) {
  for (const char* text : kNotVersions) {
    BOOST_TEST_CONTEXT(text) {
      auto tag = parse_tag(text);
      BOOST_TEST_REQUIRE(tag.has_value());
      BOOST_TEST(!tag->is_version());
    }
  }
  BOOST_TEST(parse_tag("latest")->is_latest());
}

BOOST_AUTO_TEST_CASE(rejects_text_that_is_not_a_tag) {
  for (const char* text : {"", "-1.0", ".1", "1.0 beta", "1.0;rm", "v1/2", "1.0$"}) {
    BOOST_TEST_CONTEXT(text) {
      auto tag = parse_tag(text);
      BOOST_TEST(!tag.has_value());
    }
  }
  BOOST_TEST(!parse_tag(std::string(129, '1')).has_value());
}

BOOST_AUTO_TEST_CASE(orders_versions_like_people_expect) {
  BOOST_TEST(less("v2.7.4", "v2.8.0"));
  BOOST_TEST(less("1.9.9", "1.10.0"));  // numeric, not lexical
  BOOST_TEST(less("v1.1.0", "3.2"));    // the prefix changed between releases
  BOOST_TEST(less("1.0.0-rc1", "1.0.0"));
  BOOST_TEST(less("1.0.0-alpha", "1.0.0-beta"));
  BOOST_TEST(less("1.0.0-beta2", "1.0.0-beta10"));
  BOOST_TEST(less("1.0.0-beta.9", "1.0.0-rc.1"));
  BOOST_TEST(less("4.6.3", "4.6.3-r1"));
  BOOST_TEST(less("4.6.3-r1", "4.6.3-r2"));
  BOOST_TEST(less("4.6.3-r9", "4.6.4"));
  BOOST_TEST(less("5.0.3-r0-ls376", "5.0.3-r0-ls377"));
  BOOST_TEST(less("2026.2.3", "2026.10.1"));
  BOOST_TEST(less("1.0.20260223", "1.0.20260301"));
  BOOST_TEST(less("3.3.1.0", "3.3.1.1"));
  BOOST_TEST(less("v25.12.30-cu128", "v26.1.2-cu128"));
  BOOST_TEST(less("0.17.0-beta1-tensorrt", "0.17.0-tensorrt"));
  BOOST_TEST(less("immich_v3", "immich_v4"));
  BOOST_TEST(less("8.25", "8.100"));
  BOOST_TEST(ua::core::same_version(*parse_tag("v1.2"), *parse_tag("1.2.0")));
  BOOST_TEST(ua::core::same_version(*parse_tag("1.0.0-rc1"), *parse_tag("1.0.0-rc.1")));
}

BOOST_AUTO_TEST_CASE(says_when_tags_cannot_be_compared) {
  BOOST_TEST(unordered("2.10.2-alpine", "2.10.3"));
  BOOST_TEST(unordered("v2.7.4-cuda", "v2.7.5"));
  BOOST_TEST(unordered("v25.12.30-cu128", "v25.12.31-cu126"));
  BOOST_TEST(unordered("stable", "1.0.0"));
  BOOST_TEST(unordered("latest", "stable"));
  BOOST_TEST(unordered("immich_v3", "v4"));
  BOOST_TEST(!ua::core::jump_between(*parse_tag("2.10.2-alpine"), *parse_tag("2.10.3")).has_value());
}

BOOST_AUTO_TEST_CASE(classifies_the_jump) {
  const auto jump = [](const char* a, const char* b) { return ua::core::jump_between(*parse_tag(a), *parse_tag(b)); };
  BOOST_TEST((jump("v2.7.4", "v3.0.0") == JumpKind::major));
  BOOST_TEST((jump("1.35.4", "1.36.0") == JumpKind::minor));
  BOOST_TEST((jump("1.35.4", "1.35.7") == JumpKind::patch));
  BOOST_TEST((jump("3.3.1.0", "3.3.1.1") == JumpKind::patch));
  BOOST_TEST((jump("4.6.3-r1", "4.6.3-r2") == JumpKind::revision));
  BOOST_TEST((jump("1.0.0-rc1", "1.0.0") == JumpKind::prerelease));
  BOOST_TEST((jump("v1.2", "1.2.0") == JumpKind::same));
  BOOST_TEST((jump("8.25", "9.0") == JumpKind::major));
  BOOST_TEST((jump("v3.0.0", "v2.7.4") == JumpKind::major));  // direction is compare()'s business
  BOOST_TEST(ua::core::to_string(JumpKind::minor) == "minor");
}

BOOST_AUTO_TEST_CASE(normalises_release_names) {
  using ua::core::normalise_release_name;
  BOOST_TEST(normalise_release_name("v2.7.4") == "2.7.4");
  BOOST_TEST(normalise_release_name("2.7.4") == "2.7.4");
  BOOST_TEST(normalise_release_name("n8n@1.35.7") == "1.35.7");
  BOOST_TEST(normalise_release_name("Release v2.0.1") == "2.0.1");
  BOOST_TEST(normalise_release_name("helm-chart-4.5.6") == "4.5.6");
  BOOST_TEST(normalise_release_name("authentik-2024.2.1") == "2024.2.1");
  BOOST_TEST(normalise_release_name("v25.12.30-cu128") == "25.12.30-cu128");
  BOOST_TEST(normalise_release_name("1.0.0-rc.1 (pre-release)") == "1.0.0-rc.1");
  BOOST_TEST(normalise_release_name("no version here") == "no version here");
}

BOOST_AUTO_TEST_SUITE_END()
