// Any input: no crash; ordering is reflexive and antisymmetric, and a jump
// exists exactly when the tags are comparable.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "upgrade_agent/core/tag.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto split = text.find('\n');
  auto a = ua::core::parse_tag(text.substr(0, split));
  auto b = ua::core::parse_tag(split == std::string_view::npos ? text : text.substr(split + 1));
  (void)ua::core::normalise_release_name(text);
  if (!a || !b) return 0;
  if (ua::core::compare(*a, *a) != std::partial_ordering::equivalent) std::abort();
  const auto ab = ua::core::compare(*a, *b);
  const auto ba = ua::core::compare(*b, *a);
  if ((ab == std::partial_ordering::less) != (ba == std::partial_ordering::greater)) std::abort();
  if ((ab == std::partial_ordering::unordered) != (ba == std::partial_ordering::unordered)) std::abort();
  const bool jump = ua::core::jump_between(*a, *b).has_value();
  if (a->raw != b->raw && jump == (ab == std::partial_ordering::unordered)) std::abort();
  return 0;
}
