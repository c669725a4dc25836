#pragma once
// Which digest a moved `tag@sha256:...` pin gets: the new tag's index digest
// when the old pin was an index, the same platform's manifest digest when the
// old pin was one platform's manifest.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::adapters::registry {

enum class PinKind { index, platform_manifest, single_manifest };
std::string_view to_string(PinKind kind);

struct NewPin {
  std::string digest;      // what the reference's "@sha256:..." becomes
  std::string media_type;
  PinKind kind = PinKind::index;
  std::optional<ports::Platform> platform;  // the platform kept (platform_manifest)
  std::string why;         // for people: "index of v1.2.0", "linux/arm64 manifest in v1.2.0's index"
};

// The entry of an index for `platform`; attestation entries (no platform, or
// "unknown/unknown") never match.
std::optional<ports::ManifestEntry> entry_for_platform(const ports::Manifest& index, const ports::Platform& platform);

// Pure: the old pin's manifest (and, for a platform manifest, its platform),
// the new tag's top manifest -> the new pin. refused when the kinds cannot be
// kept (an index pin whose new tag is one manifest, a platform missing from
// the new index).
core::Expected<NewPin> choose_pin(const ports::Manifest& old_pin, const std::optional<ports::Platform>& old_platform,
                                  const ports::Manifest& new_top, const std::string& new_tag);

// The registry calls around choose_pin: `image` carries the old digest;
// `new_tag` is the target. An index pin takes two HEADs; a platform pin
// reads the manifests and the old config blob (GETs).
boost::asio::awaitable<core::Expected<NewPin>> resolve_pin(ports::Registry& registry, core::ImageRef image,
                                                           std::string new_tag, core::Deadline deadline);

}  // namespace ua::adapters::registry
