#pragma once
// Step 4 of the seed: how risky is the jump, and why. Pure: the changelog is
// fetched elsewhere (adapters/github) and handed in.
//
//   SAFE     same major, no breaking keyword in any release in range
//   CAUTION  major bump, a breaking keyword in any release in range, or the
//            stack is in version_jump_always_step
//   UNKNOWN  no changelog (and nothing above already makes it CAUTION)
//
// A major bump or an always-step stack is CAUTION even without a changelog:
// those facts need no release notes, and UNKNOWN would lower the precautions
// (SAFE-level) below what the seed asks for them.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/step_mode.hpp"
#include "upgrade_agent/core/tag.hpp"

namespace ua::core {

enum class Risk { safe, caution, unknown };
std::string_view to_string(Risk risk);  // "SAFE", "CAUTION", "UNKNOWN"

// One release in range, as published.
struct ReleaseNote {
  std::string tag;   // "v2.8.0": the release's tag (or CHANGELOG heading)
  std::string name;  // release title, may be empty
  std::string body;  // notes (Markdown)
  std::string url;   // where a person can read them
  Tag version;       // parsed from tag (or name): see release_version()
};

struct Changelog {
  std::vector<ReleaseNote> releases;  // strictly after current, up to and including target, oldest first
  std::string source;                 // "GitHub releases of o/r", "CHANGELOG.md of o/r"
};

// Why a release is a breaking indicator.
struct Evidence {
  enum class Kind { keyword, new_major };
  Kind kind = Kind::keyword;
  std::string release;      // the release's tag
  std::string keyword;      // the keyword as configured (keyword kind)
  std::string line;         // the line it was found on, trimmed (at most 240 bytes)
  std::size_t line_number = 0;  // 1-based, in the release notes
};

struct KeywordHit {
  std::string keyword;
  std::string line;
  std::size_t line_number = 0;
};

// Whole-word, case-insensitive matches of `keywords` in Markdown `text`: a
// phrase's words may be separated by any run of spaces. Lines inside fenced
// code blocks and dependency-bump noise lines do not count. One hit per
// (line, keyword); keywords differing only in case count once.
std::vector<KeywordHit> find_keywords(std::string_view text, const std::vector<std::string>& keywords);

// "Bump x from 1 to 2", "chore(deps): ...", "Update dependency x to v2",
// "... by @dependabot in ...", "Lock file maintenance", ...: automated
// dependency updates, whose wording ("removed", "breaking") is about the
// dependency, not the service.
bool is_dependency_noise(std::string_view line);

// A release tag or title as a comparable version: "v2.8.0", "n8n@1.2.3",
// "Release 2.0" -> 2.8.0, 1.2.3, 2.0. Not a version: empty `release`.
Tag release_version(std::string_view tag_or_name);

// The version alone, for comparing an image tag with release tags: prefix
// ("v") and variant ("-alpine", "-cuda") dropped; pre-release and revision kept.
Tag bare_version(const Tag& tag);

// True when a release names the version an image tag carries: same numbers
// and pre-release; the image's build revision ("-r1", "-ls12") is ignored
// unless the release has one too (coturn image 4.10.0-r1 is release 4.10.0).
bool same_release(const Tag& release, const Tag& image_tag);


struct RiskInput {
  std::string stack;
  Tag current;  // image tags as deployed and requested
  Tag target;
  std::optional<Changelog> changelog;   // nullopt: could not be had
  std::string changelog_missing_reason;  // why, when nullopt
  std::vector<std::string> keywords;     // breaking_change_keywords
  bool always_step = false;              // stack in version_jump_always_step
  StepMode step_mode = StepMode::stops;
};

// Where a CAUTION upgrade pauses: each stop is its own saga.
struct Stop {
  std::string release;    // the release's tag as published ("v2.0.0"); empty when only the target is known
  std::string image_tag;  // the image tag to set: the target's spelling for the target itself,
                          // else the release's version in the target tag's style (prefix, variant)
  std::vector<std::string> why;  // "breaking: 'removed' in ...", "opens major 2", "target", "step_mode each"
};

struct RiskAssessment {
  Risk risk = Risk::unknown;
  std::optional<JumpKind> jump;        // current -> target
  std::vector<std::string> reasons;    // each criterion that decided the risk, for people
  std::vector<Evidence> evidence;      // every breaking indicator, release by release
  std::vector<Stop> stops;             // the last is always the target
  bool changelog_available = false;
  std::string changelog_note;          // "12 releases from GitHub releases of o/r" or why there is none
};

RiskAssessment assess_risk(const RiskInput& input);

}  // namespace ua::core
