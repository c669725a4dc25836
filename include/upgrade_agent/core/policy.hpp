#pragma once
// The seed's "never" rules that can be decided from the request alone.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace ua::core {

enum class Rule {
  none,
  skip_pattern,      // database, private or infrastructure image
  latest_tag,        // `:latest` on either side
  missing_tag,       // no tag at all (means latest)
  not_a_version,     // `stable`, `nightly`, ...: nothing to order
  digest_pinned,     // a digest would have to change with the tag
  downgrade,
  prerelease,        // pre-release target while the current tag is a release
  variant_change,    // `-alpine` must stay `-alpine`
  incomparable,      // e.g. prefixes differ in a way that cannot be ordered
};

enum class Decision { proceed, already_current, refused };

struct Verdict {
  Decision decision = Decision::proceed;
  Rule rule = Rule::none;
  std::string reason;  // for a person: what was refused and why

  [[nodiscard]] bool refused() const noexcept { return decision == Decision::refused; }
};

std::string_view to_string(Rule rule);

// Returns the first skip pattern that matches the image, trying the familiar
// name ("viktorbarzin/x"), the full name ("docker.io/viktorbarzin/x") and the
// registry-less path ("viktorbarzin/x", "immich-app/postgres").
std::optional<std::string> matching_skip_pattern(const ImageRef& image,
                                                 const std::vector<std::string>& patterns);

// The image itself: skip patterns.
Verdict check_image(const ImageRef& image, const std::vector<std::string>& skip_patterns);

// The jump from the current tag to the requested one.
Verdict check_upgrade(const Tag& current, const Tag& target);

// Both, image first.
Verdict check_request(const ImageRef& image, const Tag& current, const Tag& target,
                      const std::vector<std::string>& skip_patterns);

}  // namespace ua::core
