#pragma once
// What `edit` and `plan` share: rendering findings and a change plan for
// people (text) and programs (JSON). Kept out of the public headers because
// it exposes Boost.JSON.
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
