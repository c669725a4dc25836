#pragma once
// Container image references, parsed and normalised the way Docker does it
// (distribution/reference): `alpine` is `docker.io/library/alpine`.
#include <optional>
#include <string>
#include <string_view>

#include "upgrade_agent/core/expected.hpp"

namespace ua::core {

inline constexpr std::string_view kDockerHub = "docker.io";
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxTagLength = 128;

struct ImageRef {
  std::string registry;               // "docker.io", "ghcr.io", "localhost:5000"
  std::string path;                   // "library/alpine", "immich-app/immich-server"
  std::optional<std::string> tag;     // "v2.7.4"
  std::optional<std::string> digest;  // "sha256:<64 hex>"

  // "docker.io/library/alpine": the identity of the image, tag and digest aside.
  [[nodiscard]] std::string name() const;
  // "alpine", "vaultwarden/server", "ghcr.io/immich-app/immich-server": how people write it.
  [[nodiscard]] std::string familiar_name() const;
  // familiar name with ":tag" and "@digest" where present.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool same_image(const ImageRef& other) const {
    return registry == other.registry && path == other.path;
  }
};

// Parses "NAME[:TAG][@DIGEST]" against the OCI distribution grammar. Errors say
// what is wrong ("path component 'Foo' has uppercase letters", ...).
Expected<ImageRef> parse_image_ref(std::string_view text);

// Checks a tag against `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
std::optional<Error> validate_tag(std::string_view tag);

}  // namespace ua::core
