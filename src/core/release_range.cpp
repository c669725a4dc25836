#include "upgrade_agent/core/release_range.hpp"

#include <algorithm>

namespace ua::core {

std::vector<ReleaseNote> in_range(std::vector<ReleaseNote> notes, const Tag& current, const Tag& target) {
  const Tag cur = bare_version(current);
  const Tag tgt = bare_version(target);
  const bool with_prereleases = target.is_prerelease();
  std::vector<ReleaseNote> out;
  for (auto& n : notes) {
    const auto& v = n.version;
    if (!v.is_version() || (v.is_prerelease() && !with_prereleases)) continue;
    if (compare(v, cur) != std::partial_ordering::greater || same_release(v, current)) continue;
    const auto to_target = compare(v, tgt);
    if (to_target == std::partial_ordering::greater && !same_release(v, target)) continue;
    if (to_target == std::partial_ordering::unordered) continue;
    out.push_back(std::move(n));
  }
  std::stable_sort(out.begin(), out.end(), [](const ReleaseNote& a, const ReleaseNote& b) {
    return compare(a.version, b.version) == std::partial_ordering::less;
  });
  // "v1.2.0" and "1.2.0" published twice: the first one read stays.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ReleaseNote& a, const ReleaseNote& b) {
                          return compare(a.version, b.version) == std::partial_ordering::equivalent;
                        }),
            out.end());
  return out;
}

}  // namespace ua::core
