#pragma once
// The upgrade decision (the seed's steps 2-6 and 8, decided but not done), as
// data: the source repository and how it was found, the releases in range,
// the risk and its evidence, the stops, the backup a run would take, what is
// flagged for a person, and per step the exact commit message and Slack
// "Starting" text. `plan` renders it; the saga acts on it. Nothing here
// renders or touches the world: GitHub and the chart index are read through
// their ports.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "upgrade_agent/config/settings.hpp"
#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/deadline.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/core/risk.hpp"
#include "upgrade_agent/plan/backup.hpp"
#include "upgrade_agent/ports/changelog.hpp"
#include "upgrade_agent/ports/chart_index.hpp"
#include "upgrade_agent/terraform/config_changes.hpp"
#include "upgrade_agent/ports/registry.hpp"
#include "upgrade_agent/terraform/edit.hpp"

namespace ua::plan {

struct ChartSource {
  std::string repository;       // helm_release repository URL (or oci://)
  std::string chart;
  std::string current_version;  // the chart version deployed now
};

// What the local part (terraform) found, and the settings that shape the decision.
struct DecisionRequest {
  core::ImageRef image;
  std::string stack;
  std::string namespace_name;
  std::string current_tag;  // the image tag deployed now (pattern C: found from the chart index)
  std::string target_tag;
  std::optional<ChartSource> chart;  // pattern C
  config::UpgradeConfig config;
  config::StepMode step_mode = config::StepMode::stops;
  // The stack's files (terraform::read_config_files of its folders), where
  // renames from the release notes apply; empty: config changes not looked for.
  std::vector<terraform::ConfigFile> config_files;
  bool apply_config_changes = true;  // setting config_changes; off: renames are flagged
  // The digests `tag@sha256:` references are pinned to now (terraform's
  // Reference::pin), each once: they move with each step's tag.
  std::vector<std::string> pins;
};

// What the image's registry said: whether the target tag exists (checked
// before anything else), which CAUTION stops are published as image tags.
enum class TargetState { exists, missing, unchecked };
std::string_view to_string(TargetState state);

struct RegistryCheck {
  TargetState target = TargetState::unchecked;
  std::optional<ports::Digest> digest;  // the target tag's
  // "no tag v9.9.9 in ghcr.io/o/app" (missing: the upgrade is refused), or
  // "the tag's existence could not be checked (...)" (unchecked: it goes on).
  std::string note;
  std::vector<std::string> skipped_stops;  // each stop left out, with why
  std::string stops_note;                  // the stops could not be checked, and why
};

struct Step {
  std::string from;  // image tag (pattern C: chart version) before this step
  std::string to;    // empty: there is nothing to move to (no chart version ships the tag)
  std::string release;  // the release this step lands on, when known
  std::vector<std::string> why;
  // Exactly what a run would commit. An error when there is none:
  // not_found when there is nothing to move to, else why the message would
  // be refused (a CI skip directive in it, a bad field).
  core::Expected<std::string> commit_message =
      core::make_error(core::ErrorKind::internal, "not built", "plan", "commit message");
  std::string slack_starting;
  // The setting renames this step's commit applies with the version (its
  // "Config changes applied:" line), and the note lines it flags.
  terraform::ConfigChanges config_changes;
  // Where each pin goes at this step, by every digest the pin had before it
  // (the request's, then each earlier step's), so the edit applies to the tip
  // as the previous stop left it.
  std::map<std::string, terraform::PinMove> pins;
};

struct Decision {
  RegistryCheck registry;  // target missing: nothing else is decided (no steps)
  ports::RepoResolution repo;
  ports::ChangelogResult changelog;
  core::RiskAssessment risk;
  BackupPlan backup;
  std::optional<ports::ChartLookup> chart;  // pattern C
  std::vector<Step> steps;                  // one per stop, in order
  std::vector<std::string> flagged_for_manual_review;
  std::size_t github_requests = 0;          // what the decision cost the changelog source
};

// Whatever cannot be had (no repository, no changelog, no chart version) is
// in the decision, missing with its reason; the only errors are those of the
// ports: cancelled, and internal.
// The registry is asked first: a target tag it says does not exist ends the
// decision (registry.target missing, no steps); one it cannot be asked about
// goes on, said in registry.note and flagged for review (so in the commit).
boost::asio::awaitable<core::Expected<Decision>> decide(ports::ChangelogSource& changelogs, ports::ChartIndex& charts,
                                                        ports::Registry& registry, DecisionRequest request,
                                                        core::Deadline deadline);

// Where each of `pins` (digests of `image`) goes with `tag`: the registry's
// digest (adapters::registry::resolve_pin), or why it cannot move. Errors:
// cancelled only.
boost::asio::awaitable<core::Expected<std::map<std::string, terraform::PinMove>>> pin_moves(
    ports::Registry& registry, core::ImageRef image, std::vector<std::string> pins, std::string tag,
    core::Deadline deadline);

}  // namespace ua::plan
