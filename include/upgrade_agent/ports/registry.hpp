#pragma once
// What the plan and the saga ask of a container registry: which tags exist,
// which digest a tag names, and what a manifest holds (an index's platform
// entries, a platform manifest's os/architecture), so that a target or a stop
// is a real image and a `tag@sha256:...` pin can move with its tag.
// Authentication, paging, redirects and rate limits are the adapter's business.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"

namespace ua::ports {

// The four manifest media types the agent accepts, indexes first. A request
// that leaves the index types out is answered with one platform's manifest by
// many registries, and its digest is then not the tag's.
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";

inline bool is_index_type(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}
inline bool is_image_manifest_type(std::string_view media_type) {
  return media_type == kDockerManifest || media_type == kOciManifest;
}

struct TagList {
  std::string repository;         // "docker.io/library/nginx": where the tags were read
  std::vector<std::string> tags;  // sorted and unique: the registry's order means nothing
  unsigned pages = 0;             // pages read (Link rel="next" followed)
  unsigned ignored = 0;           // entries that are not valid tags, left out

  [[nodiscard]] bool contains(std::string_view tag) const;
};

struct Digest {
  std::string digest;      // "sha256:<64 hex>"
  std::string media_type;  // one of the four above
  bool computed = false;   // no Docker-Content-Digest: sha256 of the manifest's exact bytes

  [[nodiscard]] bool is_index() const { return is_index_type(media_type); }
};

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64"
  std::string variant;       // "v8", "v7", often empty

  [[nodiscard]] std::string to_string() const;  // "linux/arm64/v8"
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Platform equality as runtimes match: arm64's variant "v8" is its default,
// so "linux/arm64" and "linux/arm64/v8" are one platform.
bool same_platform(const Platform& a, const Platform& b);

struct ManifestEntry {  // one entry of an index's `manifests`
  std::string digest;
  std::string media_type;
  std::int64_t size = 0;
  std::optional<Platform> platform;  // absent for attestations and other artifacts
};

struct Manifest {
  Digest digest;                          // of these exact bytes
  std::vector<ManifestEntry> manifests;   // an index's entries
  std::string config_digest;              // an image manifest's config blob
};

class Registry {
 public:
  virtual ~Registry() = default;
  // Every tag of the image's repository. Errors: not_found (no such
  // repository), unavailable (unreachable, refused credentials, more pages
  // than the cap, rate-limited past the deadline), timeout, cancelled.
  virtual boost::asio::awaitable<core::Expected<TagList>> tags(core::ImageRef image, core::Deadline deadline) = 0;
  // The digest `reference` (a tag or a digest) names, by HEAD (which does not
  // count against Docker Hub's pull limit). not_found: "no tag v9.9.9 in
  // docker.io/library/nginx".
  virtual boost::asio::awaitable<core::Expected<Digest>> digest(core::ImageRef image, std::string reference,
                                                                core::Deadline deadline) = 0;
  // The manifest `reference` names, read and checked against its digest.
  virtual boost::asio::awaitable<core::Expected<Manifest>> manifest(core::ImageRef image, std::string reference,
                                                                    core::Deadline deadline) = 0;
  // The os/architecture of an image manifest (from its config blob).
  virtual boost::asio::awaitable<core::Expected<Platform>> platform(core::ImageRef image, std::string manifest_digest,
                                                                    core::Deadline deadline) = 0;
};

inline bool TagList::contains(std::string_view tag) const {
  for (const auto& t : tags) {
    if (t == tag) return true;
  }
  return false;
}

inline std::string Platform::to_string() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

inline bool same_platform(const Platform& a, const Platform& b) {
  if (a.os != b.os || a.architecture != b.architecture) return false;
  if (a.variant == b.variant) return true;
  const auto normal = [&](const std::string& v) { return a.architecture == "arm64" && v == "v8" ? std::string() : v; };
  return normal(a.variant) == normal(b.variant);
}

}  // namespace ua::ports
