#include "upgrade_agent/adapters/registry/stops.hpp"

namespace ua::adapters::registry {

StopsChecked keep_published_stops(std::vector<core::Stop> stops, const ports::TagList& tags) {
  StopsChecked out;
  for (std::size_t i = 0; i < stops.size(); ++i) {
    auto& stop = stops[i];
    const bool target = i + 1 == stops.size();
    if (target || tags.contains(stop.image_tag)) {
      out.kept.push_back(std::move(stop));
      continue;
    }
    std::string reason = "no tag " + stop.image_tag + " in " + tags.repository;
    if (!stop.release.empty()) reason += ": release " + stop.release + " was not published as an image; skipped";
    out.skipped.push_back(SkippedStop{std::move(stop), std::move(reason)});
  }
  return out;
}

}  // namespace ua::adapters::registry
