#pragma once
// Step 7 of the seed: decide, for every reference found, whether and how its
// version moves, then rewrite exactly the version bytes. Deciding and writing
// are separate so that `plan` shows what `edit` would do without writing.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/policy.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::terraform {

// Where a digest pin goes with the target tag (the registry's answer, found
// by the caller): the new digest, or why there is none.
struct PinMove {
  std::string digest;  // "sha256:..."; empty: the pin cannot move
  std::string reason;  // why not, or for people what the digest is ("index of v1.2.0")
};

struct EditRequest {
  std::string target_tag;                    // the image tag wanted ("v2.8.0", "2.11.0-alpine")
  std::optional<std::string> chart_version;  // pattern C: the chart version to pin
  std::vector<std::string> skip_patterns;    // the config's skip_image_patterns
  // By the digest a `tag@sha256:` reference is pinned to now. A pinned
  // reference moves only with an entry here that has a digest; without one it
  // is refused (a new tag under the old digest would deploy the old image).
  std::map<std::string, PinMove> pins;
};

// One site and the text it gets; several references may share it (one
// variable used by two images or two containers is one change).
struct Change {
  VersionSite site;
  std::string replacement;
  std::vector<std::size_t> references;  // indices into Findings::references
};

enum class RefStatus { edit, at_target, refused, needs_chart_version };
std::string_view to_string(RefStatus s);

struct RefOutcome {
  RefStatus status = RefStatus::edit;
  core::Rule rule = core::Rule::none;
  std::string reason;
  std::string target;  // the tag (or chart version) this reference would carry
  std::string pin;     // a pinned reference's new digest
  std::string category;  // Skipped::category when it does not move ("precision")
};

enum class Outcome {
  edit,                 // at least one change
  already_current,      // every movable reference is at the target
  refused,              // policy says no (skip pattern, :latest, downgrade, variant, digests only, ...)
  not_referenced,       // nothing under stacks/ names the image
  needs_chart_version,  // only helm charts run the image and no chart version was given
};
std::string_view to_string(Outcome o);

struct ChangePlan {
  Outcome outcome = Outcome::not_referenced;
  core::Rule rule = core::Rule::none;  // for refused
  std::string reason;                  // for people: why this outcome
  std::vector<Change> changes;         // in file order
  std::vector<RefOutcome> outcomes;    // parallel to Findings::references
  std::vector<Skipped> skipped;        // Findings::skipped plus references that do not move, with why
};

// Pure: decides from the findings and the request. A bad target tag is a
// refusal only if the policy says so; the caller validates syntax first.
ChangePlan plan_changes(const Findings& findings, const EditRequest& request);

struct LineChange {
  std::size_t line = 0;
  std::string before;  // the whole line, without its line ending
  std::string after;
  std::string from;    // the version bytes
  std::string to;
  std::string where;
};

struct FileChange {
  std::string file;  // repo-relative
  std::string before;
  std::string after;
  std::vector<LineChange> lines;
};

// Applies a plan's changes to file contents in memory, checking that each
// site still holds the bytes the scan saw. `read(path)` returns the content of
// a repo-relative path (or nullopt).
core::Expected<std::vector<FileChange>> render_changes(
    const ChangePlan& plan, const std::function<std::optional<std::string>(const std::string&)>& read);

// render_changes against files under `repo`.
core::Expected<std::vector<FileChange>> render_changes(const ChangePlan& plan, const std::filesystem::path& repo);

// Replaces the bytes at [offset, offset+length) of `text` for each change,
// leaving every other byte as it was. Changes must not overlap.
std::string apply_replacements(std::string_view text, const std::vector<Change>& changes);

// Writes each file atomically (temporary file in the same folder, fsync,
// rename), keeping its permission bits. Refuses paths outside stacks/, links,
// state files and .terraform/. All temporary files are written before the
// first rename, so a failure leaves every file as it was.
std::optional<core::Error> write_changes(const std::filesystem::path& repo, const std::vector<FileChange>& files);
// The same inside `folders` (Findings::folders: the search roots and the
// module folders the stacks call) instead of stacks/.
std::optional<core::Error> write_changes(const std::filesystem::path& repo, const std::vector<FileChange>& files,
                                         const std::vector<std::string>& folders);

// `diff -u` of one file (a/ and b/ prefixes), with `context` lines around changes.
std::string unified_diff(const FileChange& file, std::size_t context = 3);

}  // namespace ua::terraform
