#pragma once
// The network plan as JSON for `plan --json` (kept out of the public headers
// because it exposes Boost.JSON).
#include <boost/json/object.hpp>

#include "upgrade_agent/plan/network_plan.hpp"

namespace ua::plan {

// {github: {repo, source, how, tried, reason},
//  chart: {chosen, app_version, reason, manual_review, versions, current_app_version},
//  changelog: {available, source, note, releases: [{tag, name, url}], pages_read, releases_read, gaps},
//  risk: {level, jump, reasons, evidence: [{kind, release, keyword, line, line_number}]},
//  stops: [{from, to, release, why}], backup: {db_backed, would_back_up, cronjob, namespace, job_name,
//  description, commit_line}, steps: [{from, to, release, why, commit_message, slack_starting}],
//  flagged_for_manual_review, github_requests}
boost::json::object to_json(const NetworkPlan& plan);

}  // namespace ua::plan
