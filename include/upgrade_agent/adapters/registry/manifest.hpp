#pragma once
// Manifests as bytes: their digest, and what the agent reads of them (an
// index's platform entries, an image manifest's config, a config's platform).
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/ports/registry.hpp"

namespace ua::adapters::registry {

// "sha256:" + hex of the SHA-256 of `bytes`.
std::string sha256_digest(std::string_view bytes);

// "sha256:<64 lower-case hex>" or "sha512:<128>": the digests the agent pins.
bool valid_digest(std::string_view digest);

// The media type without parameters ("application/json; charset=utf-8" ->
// "application/json"), lower-case.
std::string bare_media_type(std::string_view content_type);

// `content_type` is the response's (the body's own mediaType wins when both
// are there and agree; a disagreement is an error). The digest is computed
// from the bytes.
core::Expected<ports::Manifest> parse_manifest(std::string_view body, std::string_view content_type);

// An image config blob's os/architecture/variant.
core::Expected<ports::Platform> parse_config_platform(std::string_view body);

}  // namespace ua::adapters::registry
