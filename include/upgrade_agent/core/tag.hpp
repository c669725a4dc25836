#pragma once
// Version tags as people really write them, and their order.
//   v2.7.4              prefix "v", release 2.7.4
//   4.6.3-r1            release 4.6.3, revision r1 (also -ls123, -1)
//   0.17.0-beta1-tensorrt  release 0.17.0, pre-release beta1, variant tensorrt
//   2.10.2-alpine       variant alpine
//   stable, latest      not a version: nothing to order
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"

namespace ua::core {

struct Tag {
  std::string raw;
  std::string prefix;                  // "v", "immich_v", "" (letters before the first digit)
  std::vector<std::uint64_t> release;  // empty when the tag is not a version ("stable")
  std::string prerelease;              // "beta1", "rc.1"; empty for a release
  std::string variant;                 // "alpine", "cuda", "cu128", "tensorrt"; empty for none
  std::string revision;                // "r1", "ls123", "r0-ls376"; empty for none
  std::string release_text;            // the release numbers as written: "2024.01.05"

  [[nodiscard]] bool is_version() const noexcept { return !release.empty(); }
  [[nodiscard]] bool is_prerelease() const noexcept { return !prerelease.empty(); }
  [[nodiscard]] bool is_latest() const noexcept { return raw == "latest"; }
  // "2.7.4": the release numbers as written, without prefix or suffixes.
  [[nodiscard]] const std::string& release_string() const noexcept { return release_text; }
};

// Never fails for a syntactically valid tag: a tag that is not a version comes
// back with an empty `release`. Errors only for text that is not a tag at all.
Expected<Tag> parse_tag(std::string_view text);

// Version order. `unordered` when the two cannot be compared: either is not a
// version, the variants differ, or the prefixes differ (a leading `v` and no
// prefix are the same). `equivalent` for the same version written differently
// (`v1.2` and `1.2.0`). Within one variant this is a strict weak order.
std::partial_ordering compare(const Tag& a, const Tag& b);

// True when the tags are comparable and name the same version.
bool same_version(const Tag& a, const Tag& b);

enum class JumpKind { same, revision, prerelease, patch, minor, major };

// The size of the step from `from` to `to` (either direction); nullopt when
// the tags cannot be compared.
std::optional<JumpKind> jump_between(const Tag& from, const Tag& to);

std::string_view to_string(JumpKind kind);

// Strips a leading "v"/"V" and a release-name prefix such as "immich " or
// "release-" from a GitHub release tag or name, so it parses like an image tag.
std::string normalise_release_name(std::string_view text);

}  // namespace ua::core
