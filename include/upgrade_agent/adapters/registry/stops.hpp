#pragma once
// CAUTION stops only at releases that exist as image tags: a release that was
// never published as an image would deploy ImagePullBackOff and a rollback.
#include <string>
#include <vector>

#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::adapters::registry {

struct SkippedStop {
  core::Stop stop;
  std::string reason;  // "no tag v1.5.0 in ghcr.io/o/app: release v1.5.0 was not published as an image"
};

struct StopsChecked {
  std::vector<core::Stop> kept;      // in order; the last stop (the target) is always kept
  std::vector<SkippedStop> skipped;
};

// Each intermediate stop is kept when its image_tag (the release in the
// target's spelling) is one of `tags`, exactly. The target is checked on its
// own (Registry::digest), so it stays here. Pure.
StopsChecked keep_published_stops(std::vector<core::Stop> stops, const ports::TagList& tags);

}  // namespace ua::adapters::registry
