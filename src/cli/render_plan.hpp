#pragma once
// The upgrade decision for people (text) and programs (JSON), as `plan`
// prints it after the local part.
#include <boost/json/object.hpp>

#include <string>

#include "upgrade_agent/plan/decision.hpp"

namespace ua::cli {

// The step's commit message, or "(none: ...)" / "(cannot be built: ...)".
std::string commit_text(const plan::Step& step);

// "Registry: the tag exists (sha256:...)", the skipped stops and notes.
std::string registry_text(const plan::RegistryCheck& check);

// The registry's answer, repository, releases, risk and evidence, stops,
// backup, messages (with the pins each step moves).
std::string to_text(const plan::Decision& decision);

// {registry: {target, digest, media_type, note, skipped_stops, stops_note},
//  github: {repo, source, how, tried, reason},
//  chart: {chosen, app_version, reason, manual_review, versions, current_app_version},
//  changelog: {available, source, note, releases: [{tag, name, url}], pages_read, releases_read, gaps},
//  risk: {level, jump, reasons, evidence: [{kind, release, keyword, line, line_number}]},
//  stops: [{from, to, release, why}], backup: {db_backed, would_back_up, cronjob, namespace, job_name,
//  description, commit_line}, steps: [{from, to, release, why, pins: [{from, to, reason}], commit_message,
//  slack_starting}],
//  flagged_for_manual_review, github_requests}
boost::json::object to_json(const plan::Decision& decision);

}  // namespace ua::cli
