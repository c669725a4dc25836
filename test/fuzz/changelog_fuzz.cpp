// Release notes and CHANGELOG.md text as GitHub may send them: no crash;
// every keyword hit points at a real line; CHANGELOG sections are versions;
// a changelog range is ordered and inside its bounds.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/adapters/github/github.hpp"
#include "upgrade_agent/core/risk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::string> keywords = {"breaking", "BREAKING", "migration required", "removed",
                                                    "action required", "deprecated", "renamed", "incompatible"};
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  for (const auto& hit : ua::core::find_keywords(text, keywords)) {
    if (hit.line_number == 0 || hit.line_number > lines) std::abort();
    if (hit.line.size() > 260) std::abort();
  }
  (void)ua::core::is_dependency_noise(text);
  (void)ua::adapters::github::decode_base64(text);
  (void)ua::adapters::github::next_link(text);
  auto notes = ua::adapters::github::split_changelog(text, "u");
  for (const auto& n : notes) {
    if (!n.version.is_version()) std::abort();
  }
  const auto current = ua::core::parse_tag("1.0.0");
  const auto target = ua::core::parse_tag("3.0.0");
  const auto range = ua::adapters::github::in_range(notes, *current, *target);
  for (std::size_t i = 0; i < range.size(); ++i) {
    if (ua::core::compare(range[i].version, ua::core::bare_version(*current)) != std::partial_ordering::greater) {
      std::abort();
    }
    if (i > 0 && ua::core::compare(range[i - 1].version, range[i].version) != std::partial_ordering::less) std::abort();
  }
  return 0;
}
