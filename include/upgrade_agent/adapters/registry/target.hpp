#pragma once
// What the registry's answer about a target tag means for an upgrade: a tag
// that does not exist is refused before anything else; a registry that cannot
// be asked does not stop the upgrade, and the report and commit say so.
#include <optional>
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::adapters::registry {

enum class TargetState {
  exists,     // the registry named its digest
  missing,    // not_found: refuse (exit 5) with `note`
  unchecked,  // unreachable, refused credentials, rate-limited, timed out: go on, say `note`
  cancelled,  // the caller cancelled: stop, as for any cancellation
};

struct TargetCheck {
  TargetState state = TargetState::unchecked;
  std::optional<ports::Digest> digest;
  std::string note;  // "no tag v9.9.9 in ghcr.io/o/app"; "the tag's existence could not be checked (...)"
};

TargetCheck classify_target(const core::Expected<ports::Digest>& answer);

// The pinned version text of a reference moved byte-exactly: "v1.0.0@sha256:old"
// -> "v1.2.0@sha256:new". bad_input when `written` is not `<old_tag>@<digest>`.
core::Expected<std::string> moved_pin_text(std::string_view written, std::string_view old_tag, std::string_view new_tag,
                                           std::string_view new_digest);

// The digest of a container status' imageID ("docker-pullable://x/y@sha256:..."
// or "x/y@sha256:..."); nullopt when it has none (a bare "sha256:" image id is
// the local config digest, not a registry digest).
std::optional<std::string> image_id_digest(std::string_view image_id);

}  // namespace ua::adapters::registry
