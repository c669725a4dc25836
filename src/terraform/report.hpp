#pragma once
// What `edit` and `plan` share: the repository and config they work on, and
// rendering findings and a change plan for people (text) and programs (JSON). Kept out
// of the public headers because it exposes Boost.JSON.
#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/config/upgrade_config.hpp"
#include "upgrade_agent/core/expected.hpp"
#include "upgrade_agent/core/image_ref.hpp"
#include "upgrade_agent/terraform/edit.hpp"
#include "upgrade_agent/terraform/locate.hpp"

namespace ua::terraform {

// The repository and the upgrade config an edit/plan works with: --repo, else
// UPGRADE_AGENT_REPO, else "."; --config, else UPGRADE_AGENT_CONFIG, else
// <repo>/.claude/reference/upgrade-config.json. A config named explicitly must
// load; the default one may be missing (a warning: no skip patterns, no chart
// mapping). A config with errors is an error either way.
struct CommandSetup {
  std::filesystem::path repo;
  std::optional<config::UpgradeConfig> config;
  std::filesystem::path config_path;
  std::vector<std::string> warnings;
  std::vector<std::string> search_roots{"stacks"};  // settings: search_roots
};
core::Expected<CommandSetup> load_repo_and_config(std::string_view repo_arg, std::string_view config_arg);

// What `edit` and `plan` both start from, once the request is parsed
// (request::parse_command_line): an optional chart version (checked as a
// tag), and the repository with its config. Every error is bad input; the
// setup's warnings are the caller's to log.
core::Expected<CommandSetup> prepare_command(std::string_view chart_version, std::string_view repo_arg,
                                             std::string_view config_arg);

// The reference that names the request in reports: the one whose stack name
// is part of the image's path (vaultwarden/server -> stack vaultwarden), else
// the first.
std::size_t primary_reference(const Findings& findings);

// The findings and plan as one JSON object:
// {image, target, stack, service, namespace, pattern, current, stacks,
//  edits: [{file, line, before, after, from, to, where}],
//  skipped: [{file, line, stack, written, rule, reason}],
//  references: [{stack, service, namespace, pattern, detail, file, line, written,
//                current, status, reason, site: {file, line, where}, via, ...}],
//  result, reason}
boost::json::object report_json(const Findings& findings, const ChangePlan& plan,
                                const std::vector<FileChange>& files, std::string_view target);

// The same for a terminal: one line per edit, then what was skipped and why.
std::string report_text(const Findings& findings, const ChangePlan& plan, const std::vector<FileChange>& files,
                        std::string_view target, bool applied);

}  // namespace ua::terraform
