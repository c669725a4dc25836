#pragma once
// Commit messages: the seed's upgrade format (DESIGN.md, Messages) and the rule
// that no message the agent writes may carry a CI skip directive: the upgrade
// is applied by CI, so a skipped pipeline is an upgrade that silently never
// happens.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/expected.hpp"

namespace ua::adapters::git {

struct Identity {
  std::string name;
  std::string email;
  [[nodiscard]] std::string to_string() const { return name + " <" + email + ">"; }
};

// The settings' default `git_author` (`Service Upgrade Agent <noreply@...>`),
// so that a library default and a configured default never disagree.
Identity default_identity();

// A name or e-mail git can store: non-empty, no '<', '>' or line breaks.
core::Expected<Identity> validate_identity(Identity identity);

// "Name <email>" (the `git_author` setting) -> Identity.
core::Expected<Identity> parse_identity(std::string_view text);

// The first skip directive in `message`, as written, or nothing. Recognised, in
// any case and with spaces, '-', '_' or '.' inside the brackets: [ci skip],
// [skip ci], [no ci], [skip actions], [actions skip] (GitHub, GitLab,
// Woodpecker, Drone, Travis), [skip travis], ***NO_CI*** (Azure Pipelines) and
// the `skip-checks: true` trailer (GitHub).
std::optional<std::string> find_ci_skip_directive(std::string_view message);

// The seed's message (step 8):
//   upgrade: <stack> <old> -> <new>
//
//   Changelog summary: ...
//   Risk: SAFE|CAUTION|UNKNOWN
//   Breaking changes: none|a; b
//   DB backup: yes (job: ...)|no (not DB-backed)|skipped
//   Config changes applied: none|...
//   Flagged for manual review: none|...
//
//   Co-Authored-By: Service Upgrade Agent <noreply@...>
struct UpgradeMessage {
  std::string stack;
  std::string old_version;
  std::string new_version;
  // Extracted from the release notes by the caller; empty means the changelog
  // was unavailable and the message says so (the seed's UNKNOWN rule).
  std::vector<std::string> changelog_summary;
  std::string risk;  // SAFE, CAUTION or UNKNOWN
  std::vector<std::string> breaking_changes;
  std::string db_backup;  // e.g. "yes (job: pre-upgrade-immich-1714000000)"; empty: "no (not DB-backed)"
  std::vector<std::string> config_changes;
  std::vector<std::string> flagged_for_review;
  Identity co_author = default_identity();
};

// The message, or an error naming the bad field (empty or multi-word
// stack/versions, unknown risk, a skip directive anywhere).
core::Expected<std::string> build_upgrade_message(const UpgradeMessage& message);

// `upgrade: <stack> ` followed by anything: the subject prefix the follow-up
// query matches.
std::string upgrade_subject_prefix(std::string_view stack);

}  // namespace ua::adapters::git
