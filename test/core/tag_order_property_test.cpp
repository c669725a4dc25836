// Property: over a generated set of tags of one variant, compare() is a strict
// weak order (irreflexive, asymmetric, transitive, with transitive
// equivalence) and total (never unordered); across variants it is unordered.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "upgrade_agent/core/tag.hpp"

using ua::core::compare;
using ua::core::Tag;

namespace {

std::vector<Tag> generate(std::mt19937& rng, const std::string& variant, std::size_t count) {
  static const char* const kPre[] = {"", "", "", "rc1", "rc.2", "beta1", "beta.10", "alpha", "alpha-2", "dev"};
  static const char* const kRev[] = {"", "", "", "r0", "r1", "r2", "ls12", "r1-ls7"};
  std::uniform_int_distribution<int> small(0, 3);
  std::uniform_int_distribution<int> parts(1, 4);
  std::uniform_int_distribution<std::size_t> pre(0, std::size(kPre) - 1);
  std::uniform_int_distribution<std::size_t> rev(0, std::size(kRev) - 1);
  std::vector<Tag> tags;
  while (tags.size() < count) {
    std::string text = small(rng) == 0 ? "v" : "";
    const int n = parts(rng);
    // Appended piece by piece: g++ 12 reports `"-" + s` as overlapping
    // (-Wrestrict) at -O2, a known false positive.
    for (int i = 0; i < n; ++i) {
      if (i > 0) text += '.';
      text += std::to_string(small(rng));
    }
    const std::string p = kPre[pre(rng)];
    const std::string r = kRev[rev(rng)];
    auto append = [&text](const std::string& part) {
      text += '-';
      text += part;
    };
    if (!p.empty()) append(p);
    if (!variant.empty()) append(variant);
    if (!r.empty() && p.empty()) append(r);
    auto tag = ua::core::parse_tag(text);
    BOOST_TEST_REQUIRE(tag.has_value(), text);
    BOOST_TEST_REQUIRE(tag->variant == variant, text);
    tags.push_back(*tag);
  }
  return tags;
}

bool lt(const Tag& a, const Tag& b) { return compare(a, b) == std::partial_ordering::less; }
bool eq(const Tag& a, const Tag& b) { return compare(a, b) == std::partial_ordering::equivalent; }

}  // namespace

BOOST_AUTO_TEST_SUITE(tag_order_property)

BOOST_AUTO_TEST_CASE(strict_weak_order_within_a_variant) {
  std::mt19937 rng(20261125);
  for (const std::string variant : {"", "alpine", "cuda"}) {
    const auto tags = generate(rng, variant, 70);
    std::size_t failures = 0;
    for (const auto& a : tags) {
      if (!eq(a, a) || lt(a, a)) ++failures;  // irreflexive
      for (const auto& b : tags) {
        const auto ab = compare(a, b);
        if (ab == std::partial_ordering::unordered) ++failures;  // total within the variant
        if (lt(a, b) && lt(b, a)) ++failures;                    // asymmetric
        if (lt(a, b) != (compare(b, a) == std::partial_ordering::greater)) ++failures;
        for (const auto& c : tags) {
          if (lt(a, b) && lt(b, c) && !lt(a, c)) ++failures;  // transitive
          if (eq(a, b) && eq(b, c) && !eq(a, c)) ++failures;  // equivalence is transitive
          if (eq(a, b) && lt(b, c) && !lt(a, c)) ++failures;  // incomparability respects order
        }
      }
    }
    BOOST_TEST(failures == 0u, "variant '" << variant << "'");
  }
}

BOOST_AUTO_TEST_CASE(sorting_is_stable_under_shuffles) {
  std::mt19937 rng(7);
  auto tags = generate(rng, "", 200);
  std::sort(tags.begin(), tags.end(), lt);
  auto shuffled = tags;
  for (int round = 0; round < 5; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::stable_sort(shuffled.begin(), shuffled.end(), lt);
    for (std::size_t i = 0; i < tags.size(); ++i) BOOST_TEST_REQUIRE(eq(tags[i], shuffled[i]));
  }
  BOOST_TEST(std::is_sorted(tags.begin(), tags.end(), lt));
}

BOOST_AUTO_TEST_CASE(different_variants_never_compare) {
  std::mt19937 rng(11);
  const auto plain = generate(rng, "", 30);
  const auto alpine = generate(rng, "alpine", 30);
  for (const auto& a : plain) {
    for (const auto& b : alpine) {
      BOOST_TEST_REQUIRE((compare(a, b) == std::partial_ordering::unordered));
      BOOST_TEST_REQUIRE(!ua::core::jump_between(a, b).has_value());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
