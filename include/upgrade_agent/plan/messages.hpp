#pragma once
// What a run would say (step 8's commit message parts, the Slack "Starting"
// text), extracted from the release notes, never written by us.
#include <string>
#include <string_view>
#include <vector>

#include "upgrade_agent/core/risk.hpp"

namespace ua::plan {

// The commit message's summary: security lines, then breaking lines, then
// the first line of each release, newest first; at most three, each
// "<release>: <line>". Empty when there is no changelog.
std::vector<std::string> changelog_summary(const core::Changelog& changelog, const core::RiskAssessment& risk);

// The lines a keyword hit stands for: the line itself, or, when the keyword
// is in a heading ("## Breaking changes"), the first lines under it.
std::vector<std::string> excerpt(const core::Evidence& hit, const core::Changelog* changelog);

// "Breaking changes:" entries ("<release>: <line>"), and a major bump.
std::vector<std::string> breaking_changes(const core::RiskAssessment& risk, std::string_view from, std::string_view to,
                                          const core::Changelog* changelog = nullptr);

// `[Upgrade Agent] Starting: *<stack>* <old> -> <new> (risk: <RISK>)`, plus, for
// CAUTION, why and the breaking excerpts.
std::string slack_starting_text(std::string_view stack, std::string_view from, std::string_view to,
                                const core::RiskAssessment& risk, const core::Changelog* changelog = nullptr);

}  // namespace ua::plan
